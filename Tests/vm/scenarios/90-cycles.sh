# SPDX-License-Identifier: GPL-2.0
# Reserve/release cycles (30; `make soak`: 200) leak nothing: online CPUs identical, node 1
# MemFree within 1 MiB (see 20-mem-reserve.sh), total MemFree within
# 16 MiB (node 0 also holds the page cache and slabs of the running guest;
# a leak of one 4 MiB chunk per cycle would be 120 MiB).
. /scenarios/lib.sh
load_mod
on0=$(online_cpus)
free1=$(node_free 1)
total0=$(( $(awk '/MemFree/ { print $2 }' /proc/meminfo) * 1024 ))
n=$(cycles 30)
i=0
while [ $i -lt $n ]; do
	$MT setup 2-3 64M@1 16M@0 > /dev/null || fail "cycle $i: setup failed"
	[ "$(online_cpus)" = 0-1 ] || fail "cycle $i: CPUs not taken"
	$MT release-cpus 2-3 > /dev/null || fail "cycle $i: release-cpus failed"
	$MT release-mem all > /dev/null || fail "cycle $i: release-mem failed"
	i=$((i + 1))
done
[ "$(online_cpus)" = "$on0" ] || fail "online CPUs after $n cycles: $(online_cpus)"
expect_near "node 1 MemFree after $n cycles" "$(node_free 1)" $free1 $((1 * MiB))
total1=$(( $(awk '/MemFree/ { print $2 }' /proc/meminfo) * 1024 ))
expect_near "MemFree after $n cycles" $total1 $total0 $((16 * MiB))
unload_mod
