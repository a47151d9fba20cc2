# SPDX-License-Identifier: GPL-2.0
# Memory limits: more than the node has fails at once; more than the node
# can give above its safety floor fails after allocating, gives everything
# back and reports how far it got; up to the floor works.
. /scenarios/lib.sh
load_mod

floor=$(node_field 1 floor)
[ "$floor" = $((64 * MiB)) ] || fail "node 1 floor is $floor, expected 64 MiB (max(2%, 64 MiB) for a CPU-less node)"

free0=$(node_free 1)
$MT -e ENOMEM reserve-mem 1 2G | tee /tmp/o
grep -q 'ENOMEM as expected' /tmp/o || fail "2G on a 512M node did not fail with ENOMEM"
grep -q 'obtained 0' /tmp/o || fail "2G on a 512M node allocated something"

# 128 MiB held, then a request 32 MiB beyond what is left above the floor
# (it passes the "more than the node could ever give" check): allocation
# runs into the floor and gives back what this request took, not the 128 MiB
run $MT reserve-mem 1 128M
before=$(node_free 1)
free=$(node_field 1 free)
ask=$(( (free - floor + 32 * MiB) / (4 * MiB) * (4 * MiB) ))
$MT -e ENOMEM reserve-mem 1 $ask | tee /tmp/o
grep -q 'ENOMEM as expected' /tmp/o || fail "$ask bytes (32 MiB beyond the floor) did not fail"
got=$(sed -n 's/^obtained //p' /tmp/o)
log "obtained $got of $ask before the floor stopped it"
[ "$got" -gt $((64 * MiB)) ] || fail "expected a large partial allocation before the floor, got $got"
expect_near "node 1 MemFree after rollback" "$(node_free 1)" $before $((1 * MiB))
[ "$(node_field 1 reserved)" = $((128 * MiB)) ] || fail "rollback touched the earlier 128 MiB"
run $MT release-mem 1
expect_near "node 1 MemFree after release" "$(node_free 1)" $free0 $((1 * MiB))

# up to 16 MiB above the floor works, and the floor holds
free=$(node_field 1 free)
ask=$(( (free - floor - 16 * MiB) / (4 * MiB) * (4 * MiB) ))
run $MT reserve-mem 1 $ask
left=$(node_free 1)
log "node 1 left with $left bytes free, floor $floor"
[ "$left" -ge "$floor" ] || fail "node 1 below its floor: $left < $floor"
run $MT release-mem 1
expect_near "node 1 MemFree after release" "$(node_free 1)" $free0 $((1 * MiB))
unload_mod
