# SPDX-License-Identifier: GPL-2.0
# test_fault=page makes the LWK read an unmapped address during boot: its
# IDT catches the page fault, kmsg has the register dump and the faulting
# address, the instance is PANIC (boot fails with EIO), Linux is unharmed,
# and shutdown/destroy/release give everything back.
. /scenarios/lib.sh
load_mod
run $MT setup 2-3 16M@0 8M@1
new_instance 2-3 0 1
run $MT load $idx $LWK
run $MT kargs $idx "hidos test_fault=page"
run $MT -e EIO boot $idx
[ "$(os_state $idx)" = PANIC ] || fail "state after the fault: $(os_state $idx)"
$MT kmsg $idx | tee /tmp/k
grep -q 'PANIC: exception #PF (14)' /tmp/k || fail "no page fault line in kmsg"
grep -q 'page fault at address 0x00007f7ffffff000' /tmp/k || fail "no faulting address"
grep -q 'RAX 0x' /tmp/k || fail "no register dump"
dmesg | grep -q "mcos$idx: LWK boot failed (LWK panicked" || fail "failure not in the kernel log"
run $MT -e EBUSY destroy $idx
run $MT shutdown $idx
[ "$(os_state $idx)" = INACTIVE ] || fail "state after shutdown: $(os_state $idx)"
run $MT destroy $idx
run $MT release-cpus 2-3
run $MT release-mem all
expect_cpus_back
unload_mod
