# SPDX-License-Identifier: GPL-2.0
# Reserve memory on NUMA 1 (CPU-less, standing for MCDRAM) and on NUMA 0:
# the node's MemFree drops by the amount and comes back on release.
#
# Tolerance: node 1 has no CPUs and nothing else allocates there while the
# test runs (the module's chunk descriptors come from the caller's node,
# 0), so its free memory (MemFree plus per-CPU free lists, see lib.sh) must
# move by the exact amount; 1 MiB of slack covers the vmstat counters'
# per-CPU deltas, folded into the node totals lazily (at most a threshold
# of 24 pages per CPU and zone here: 4 CPUs x 24 x 4 KiB = 384 KiB).
# Node 0 runs the guest (page cache, slabs, the shell), so it gets 8 MiB.
. /scenarios/lib.sh
load_mod
SZ=$((256 * MiB))

free0=$(node_free 1)
run $MT reserve-mem 1 256M
free1=$(node_free 1)
expect_near "node 1 MemFree drop" $((free0 - free1)) $SZ $((1 * MiB))
$MT query | tee /tmp/q
grep -q "mem: 64 chunks, $SZ bytes" /tmp/q || fail "expected 64 chunks of 4 MiB on node 1"
[ "$(grep -c 'node 1 phys .* bytes 4194304 order 10' /tmp/q)" = 64 ] || fail "chunks are not 4 MiB on node 1"
[ "$(node_field 1 reserved)" = $SZ ] || fail "node 1 reserved bytes wrong"
[ "$(node_field 1 has_cpu)" = 0 ] || fail "node 1 should have no CPU"

run $MT release-mem 1
free2=$(node_free 1)
expect_near "node 1 MemFree after release" $free2 $free0 $((1 * MiB))

# node 0, small chunks allowed; release by "all"
free0=$(node_free 0)
run $MT reserve-mem 0 100M
free1=$(node_free 0)
expect_near "node 0 MemFree drop" $((free0 - free1)) $((100 * MiB)) $((8 * MiB))
run $MT release-mem all
free2=$(node_free 0)
expect_near "node 0 MemFree after release" $free2 $free0 $((8 * MiB))

# an odd size needs smaller chunks: 4 MiB + 12 KiB -> one order-10, one order-1, one order-0
run $MT reserve-mem 1 4206592
$MT query | tee /tmp/q
grep -q 'mem: 3 chunks, 4206592 bytes' /tmp/q || fail "4 MiB + 12 KiB not split into 3 chunks"
run $MT -e EINVAL reserve-mem 1 4206592 10
run $MT release-mem all
unload_mod
