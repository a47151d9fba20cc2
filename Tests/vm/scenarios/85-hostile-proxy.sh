# SPDX-License-Identifier: GPL-2.0
# The hostile proxy fuzzer: uid 65534 drives /dev/mcosN without mcexec,
# 10^5 calls from two processes (mcos.fuzz_scale=N on the kernel command line
# multiplies them; mcos.fuzz_seed=N picks the seed): process ioctls with random
# arguments and sizes, random ioctl numbers, mmap/mremap/madvise games,
# fork, threads reading while their program ends, files closed under a
# waiting thread.  No page of an ended program is readable and no page
# shows another program's data (checked as it goes).  Then: no oops or
# WARN (checked around every scenario), the LWK still RUNNING with both
# CPUs idle, and a normal program still runs.
. /scenarios/lib.sh
scale=$(param fuzz_scale 1)
seed=$(param fuzz_seed 1)
load_mod
lwk_instance
dmesg -c > /dev/null
# in the background, so that a hang says where every thread of it waits
echo "+ mcos-hostile -u 65534 fuzz $idx $((100000 * $scale)) $seed 2"
mcos-hostile -u 65534 fuzz $idx $((100000 * $scale)) $seed 2 > /tmp/fuzz 2>&1 &
fuzzer=$!
# the limit in the guest's seconds: under TCG a loop's count says little of time
limit=$((300 * $scale))
start=$(uptime_seconds)
until exited $fuzzer; do
	t=$(($(uptime_seconds) - start))
	if [ $t -gt $limit ]; then
		cat /tmp/fuzz
		for task in /proc/[0-9]*/task/[0-9]*; do
			grep -q mcos-hostile $task/comm 2>/dev/null || continue
			echo "# $task: $(cat $task/wchan 2>/dev/null)"
			cat $task/stack 2>/dev/null
		done
		echo w > /proc/sysrq-trigger 2>/dev/null && dmesg | tail -n 60
		fail "the fuzzer still runs after $t s"
	fi
	sleep 1
done
wait $fuzzer
rc=$?
cat /tmp/fuzz
[ $rc = 0 ] || fail "the fuzzer exited $rc"
if scenario_dmesg | grep 'stays busy'; then
	# what each LWK CPU did last says which request it never finished
	for cpu in 0 1; do $MT kmsg $idx | grep "^\[  $cpu\]" | tail -n 12; done
	fail "a CPU stayed busy after the fuzzer"
fi
expect_lwk_idle $idx "after the fuzzer"
rc=0; mcexec $idx /bin/lwkprog exit42 || rc=$?
[ "$rc" = 42 ] || fail "a normal program after the fuzzer exited $rc, expected 42"
lwk_teardown $idx
