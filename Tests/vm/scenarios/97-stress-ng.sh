# SPDX-License-Identifier: GPL-2.0
# stress-ng, Debian's own, on the LWK: its process, thread, futex, signal, pipe,
# memory and file stressors with --verify, each running a bounded number of
# operations, natively and on the LWK (2 CPUs, time_sharing=8: stress-ng
# forks a process per stressor, and several of them fork or start threads in
# turn).  Each must succeed on both and count the same operations; a summary
# line gives how many passed where.  Afterwards every LWK CPU is idle and the
# LWK's log has no leak, panic or bug.  make test gives each of its two guests
# every other stressor (this_guests_share); make suites runs all on both.
. /scenarios/lib.sh
S=/usr/bin/stress-ng
# A run that takes longer has hung (a guest under TCG is slow, not that slow).
BOUND=300
# stressor:operations[:more options, which come last and so win]; yield runs until its
# time is up whatever its operations (120 s a side else)
STRESSORS="fork:20 vfork:20 clone:20 pthread:20 futex:20 yield:20:-t=5s switch:20
signal:20 sigq:20 kill:20 pipe:20 dup:20 open:20 fstat:20 hdd:20
brk:20 malloc:20 stack:20 memcpy:20 shm:10 mmap:5:--mmap-bytes=4M vm:20:--vm-bytes=8M"

load_mod
lwk_instance_with "hidos time_sharing=8" 480M@0 32M@1
cpus=$(lwk_cpus $idx)
. /scenarios/compare.sh
shm_mount
mkdir -p /tmp/stress
cd /tmp/stress

# ops OUT NAME: the bogo ops stress-ng counted for stressor NAME
ops() {
	awk -v name="$2" '$2 == "metrc:" && $4 == name && $5 ~ /^[0-9]+$/ { print $5; exit }' "$1"
}

total=0 native_ok=0 lwk_ok=0 differ=
for entry in $(this_guests_share $STRESSORS); do
	name=${entry%%:*}
	rest=${entry#*:}
	count=${rest%%:*}
	more=
	[ "$rest" = "$count" ] || more=$(echo "${rest#*:}" | tr = ' ')
	args="--$name 1 --$name-ops $count --verify -t 120s --metrics-brief $more"
	total=$((total + 1))
	start=$(uptime_seconds)
	bounded $BOUND /tmp/native.out $S $args
	nrc=$rc
	middle=$(uptime_seconds)
	bounded $BOUND /tmp/lwk.out mcexec $idx $S $args
	lrc=$rc
	nops=$(ops /tmp/native.out $name)
	lops=$(ops /tmp/lwk.out $name)
	# the seconds, for balancing make test's two halves
	summary="$name: native status $nrc, $nops ops ($((middle - start)) s); LWK status $lrc, $lops ops ($(($(uptime_seconds) - middle)) s)"
	echo "== $summary"
	progress "97-stress-ng: $summary"
	[ "$nrc" = 0 ] && [ "$nops" = "$count" ] && native_ok=$((native_ok + 1))
	if [ "$lrc" = 0 ] && [ "$lops" = "$count" ]; then
		lwk_ok=$((lwk_ok + 1))
	else
		cat /tmp/lwk.out
		$MT kmsg $idx | tail -n 8
	fi
	[ "$nrc" = "$lrc" ] && [ "$nops" = "$lops" ] || differ="$differ $name"
	expect_idle "after stress-ng --$name"
done
log "stress-ng: $total stressors, $native_ok passed natively, $lwk_ok on the LWK; differ:${differ:- none}"
[ -z "$differ" ] || fail "stress-ng stressors that differ between Linux and the LWK:$differ"

cd /
shm_unmount
lwk_log_clean $idx "after stress-ng"
lwk_teardown $idx
