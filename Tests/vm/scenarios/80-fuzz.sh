# SPDX-License-Identifier: GPL-2.0
# Malformed ioctls (bad sizes, huge counts, NULL/kernel/non-canonical user
# pointers, out-of-range CPUs and nodes, unknown numbers, wrong device,
# random contents) fail with the right errno and leave no BUG, Oops or
# WARNING in dmesg (/init checks dmesg around every scenario; checked here
# too so the reason is precise).
. /scenarios/lib.sh
load_mod
on0=$(online_cpus)
free1=$(node_free 1)
dmesg -c > /dev/null
$MT fuzz || fail "fuzz found unexpected results"
$MT -u 65534 fuzz > /tmp/f 2>&1
grep -q 'reserve cpu 3: got EPERM' /tmp/f || fail "fuzz as uid 65534 was not refused with EPERM"
unload_mod
if dmesg | grep -E "$KERNEL_BAD"; then
	fail "kernel complained during fuzz"
fi
[ "$(online_cpus)" = "$on0" ] || fail "online CPUs after fuzz: $(online_cpus)"
expect_near "node 1 MemFree after fuzz" "$(node_free 1)" $free1 $((1 * MiB))
