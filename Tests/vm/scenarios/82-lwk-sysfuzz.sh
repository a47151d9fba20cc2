# SPDX-License-Identifier: GPL-2.0
# The syscall fuzzer as a program on the LWK (sysfuzz.c): 10^5 random
# system calls with hostile arguments, seeded, as uid 65534 in an empty
# directory (stdin /dev/null, a 1 MiB file size limit, SIGXFSZ and SIGIO
# ignored: what uid 65534 may do to the guest stays small).  After it:
# sysfuzz exited 0 with its report (so neither it nor mcexec died), the LWK
# is RUNNING with no PANIC in its log, and another program still runs.
# `make fuzz` runs it 10 times longer (mcos.fuzz_scale=10) with a seed of
# its own (mcos.fuzz_seed=N; the default here is fixed, so that a failure
# in `make test` reproduces).
. /scenarios/lib.sh
calls=$((100000 * $(param fuzz_scale 1)))
seed=$(param fuzz_seed 20251)
load_mod
lwk_instance 192M@0 32M@1

dir=/tmp/sysfuzz
rm -rf $dir
mkdir -p $dir
chown 65534:65534 $dir
log "sysfuzz: seed $seed, $calls calls, as uid 65534 in an empty $dir"
t0=$(cut -d' ' -f1 /proc/uptime)
rc=0
(cd $dir && trap '' XFSZ IO PIPE && ulimit -f 1024 &&
	exec /bin/hostile as 65534 mcexec $idx /bin/sysfuzz $seed $calls $dir/report) < /dev/null > /tmp/sysfuzz.out 2>&1 || rc=$?
log "$(awk -v t0=$t0 '{ printf "%.1f s", $1 - t0 }' /proc/uptime)"
cat $dir/report
tail -c 600 /tmp/sysfuzz.out | tr -c '[:print:]\n' '.'
echo
$MT kmsg $idx > /tmp/kmsg
tail -n 8 /tmp/kmsg
[ "$rc" = 0 ] || fail "sysfuzz (seed $seed) ended with status $rc"
made=$(sed -n "s/^sysfuzz: seed $seed, \([0-9]*\) calls.*/\1/p" $dir/report)
[ "${made:-0}" -ge $calls ] || fail "sysfuzz (seed $seed) did not finish its $calls calls"
[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) after sysfuzz (seed $seed)"
grep -q PANIC /tmp/kmsg && fail "PANIC in the LWK's log after sysfuzz (seed $seed)"
rc=0; mcexec $idx /bin/lwkprog write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q 'hello from write' /tmp/o || fail "a program after sysfuzz: rc $rc: $(cat /tmp/o)"
lwk_teardown $idx
