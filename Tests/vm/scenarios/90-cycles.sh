# SPDX-License-Identifier: GPL-2.0
# Reserve/release cycles (30; `make soak`: 200) leak nothing: online CPUs identical, node 1
# MemFree within 1 MiB (see 20-mem-reserve.sh), total MemFree no more than
# 16 MiB below where it was (node 0 also holds the page cache and slabs of the
# running guest, dropped before each reading as far as they can be, and a
# guest just booted still frees memory of its own; a leak of one 4 MiB chunk
# per cycle would be 120 MiB).
. /scenarios/lib.sh
# MemFree in bytes, once what the kernel can drop (page cache, dentries, inodes) is
free_now() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo $(( $(awk '/MemFree/ { print $2 }' /proc/meminfo) * 1024 ))
}
load_mod
on0=$(online_cpus)
total0=$(free_now)
free1=$(node_free 1)
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
total1=$(free_now)
expect_near "node 1 MemFree after $n cycles" "$(node_free 1)" $free1 $((1 * MiB))
log "MemFree after $n cycles: $total1 vs $total0 before"
[ "$total1" -ge $((total0 - 16 * MiB)) ] ||
	fail "MemFree after $n cycles: $total1, $(( (total0 - total1) >> 20 )) MiB below $total0 (tolerance 16 MiB)"
unload_mod
