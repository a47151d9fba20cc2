# SPDX-License-Identifier: GPL-2.0
# mcexec -n: the ranks one launcher starts split the LWK's CPUs.  On 2 LWK
# CPUs booted with time_sharing=2, two mcexec -n 2 started by one shell take
# one CPU each: by MPI_LOCALRANKID (rank r on LWK CPU r), then by order of
# arrival (each on a CPU of its own, not the other's); a rank's second thread
# and its fork's child stay on its CPU, and the LWK's log names each share.
# Refused with a clear error and nothing left running: more ranks than CPUs
# (at once), a rank alone past --rank-timeout, two ranks asking for the same
# local rank.  Afterwards both CPUs are idle.
. /scenarios/lib.sh
R=/bin/ranks

load_mod
lwk_instance_with "hidos time_sharing=2" 192M@0
[ "$(lwk_cpus $idx)" = 2 ] || fail "the LWK has $(lwk_cpus $idx) CPUs, this scenario wants 2"

# lines KEY FILE: the values of FILE's "KEY value" lines, one per line
lines() {
	sed -n "s/^$1 //p" "$2"
}

# expect_on FILE CPU [child]: the rank whose output FILE is ran everything (its
# affinity, main thread, second thread, and fork's child if asked) on LWK CPU CPU
expect_on() {
	for key in affinity main thread ${3:-}; do
		got=$(lines $key "$1" | sort -u | tr '\n' ' ')
		[ "$got" = "$2 " ] || fail "$1: $key on '$got', not on LWK CPU $2: $(cat "$1")"
	done
}

log "two ranks by MPI_LOCALRANKID: rank r on LWK CPU r, its thread and child too"
rc=0
sh -c "MPI_LOCALRANKID=1 mcexec -n 2 --verbose $idx $R 2 fork > /tmp/r1 2> /tmp/r1.err & one=\$!
	MPI_LOCALRANKID=0 mcexec -n 2 --verbose $idx $R 2 fork > /tmp/r0 2> /tmp/r0.err & two=\$!
	wait \$one && wait \$two" || rc=$?
[ "$rc" = 0 ] || fail "the ranks ended with status $rc: $(cat /tmp/r0.err /tmp/r1.err)"
expect_on /tmp/r0 0 child
expect_on /tmp/r1 1 child
grep -q "rank 1 of 2 (MPI_LOCALRANKID): LWK CPUs 1$" /tmp/r1.err ||
	fail "mcexec --verbose does not name rank 1's share: $(cat /tmp/r1.err)"
$MT kmsg $idx | grep -q "runs on LWK CPUs 0 (its share)" && $MT kmsg $idx | grep -q "runs on LWK CPUs 1 (its share)" ||
	fail "the LWK's log does not name both shares"
expect_lwk_idle $idx "after the ranks by MPI_LOCALRANKID"

log "two ranks in order of arrival: a CPU each"
rc=0
sh -c "mcexec -n 2 $idx $R 2 > /tmp/a 2>&1 & one=\$!
	mcexec -n 2 $idx $R 2 > /tmp/b 2>&1 & two=\$!
	wait \$one && wait \$two" || rc=$?
[ "$rc" = 0 ] || fail "the ranks ended with status $rc: $(cat /tmp/a /tmp/b)"
a=$(lines main /tmp/a); b=$(lines main /tmp/b)
case "$a$b" in 01|10) ;; *) fail "the ranks ran on LWK CPUs '$a' and '$b': $(cat /tmp/a /tmp/b)" ;; esac
expect_on /tmp/a "$a"
expect_on /tmp/b "$b"
expect_lwk_idle $idx "after the ranks in order of arrival"

log "refused: more ranks than CPUs, at once"
rc=0; mcexec -n 3 --rank-timeout 600 $idx $R 0 > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "OS $idx has 2 LWK CPUs, fewer than the ranks" /tmp/o ||
	fail "-n 3 on 2 CPUs: status $rc: $(cat /tmp/o)"

log "refused: a rank alone past --rank-timeout"
start=$(uptime_seconds)
rc=0; mcexec -n 2 --rank-timeout 2 $idx $R 0 > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "not all 2 ranks of this job came within 2 s" /tmp/o && ! grep -q '^affinity' /tmp/o ||
	fail "a rank alone: status $rc: $(cat /tmp/o)"
[ $(($(uptime_seconds) - start)) -lt 30 ] || fail "a rank alone waited far past its timeout"
dmesg | grep -q "1 of the 2 ranks of a job came" || fail "the module's log does not tell of the missing rank"
expect_lwk_idle $idx "after a rank alone"

log "refused: two ranks with the same local rank"
rc=0
sh -c "MPI_LOCALRANKID=0 mcexec -n 2 --rank-timeout 3 $idx $R 0 > /tmp/a 2>&1 & one=\$!
	MPI_LOCALRANKID=0 mcexec -n 2 --rank-timeout 3 $idx $R 0 > /tmp/b 2>&1 & two=\$!
	wait \$one; ra=\$?; wait \$two; rb=\$?; echo \$ra\$rb > /tmp/statuses" || rc=$?
[ "$(cat /tmp/statuses)" = 11 ] || fail "two rank 0s ended with statuses $(cat /tmp/statuses): $(cat /tmp/a /tmp/b)"
cat /tmp/a /tmp/b | grep -q "another process of this job took rank 0 already (MPI_LOCALRANKID=0)" ||
	fail "the second rank 0 is not told why: $(cat /tmp/a /tmp/b)"
expect_lwk_idle $idx "after two rank 0s"

lwk_log_clean $idx "at the end"
lwk_teardown $idx
