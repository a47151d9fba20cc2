# SPDX-License-Identifier: GPL-2.0
# The LWK's test image (make kernel-test) faults on purpose.  test_fault=page
# makes it read an unmapped address during boot: its IDT catches the page
# fault, kmsg has the register dump and the faulting address, the instance
# is PANIC (boot fails with EIO), Linux is unharmed, and
# shutdown/destroy/release give everything back.  test_fault=syscall boots
# fine and faults in the first system call of a program: mcexec, its proxy,
# says the LWK panicked and exits 1 instead of waiting for ever, and the node
# recovers the same way.  The image that ships has no such code: it boots
# with test_fault=page, says the argument is unknown, and runs programs.
. /scenarios/lib.sh
LWK_TEST=/bin/mcos-lwk-test.elf
load_mod
run $MT setup 2-3 16M@0 8M@1
new_instance 2-3 0 1
lwk_boot $idx "hidos test_fault=page test_fault=syscall"
$MT kmsg $idx | tee /tmp/k
[ "$(os_state $idx)" = RUNNING ] || fail "the shipped image with test_fault=: $(os_state $idx)"
grep -q 'unknown kernel argument: test_fault=page' /tmp/k || fail "the shipped image does not call test_fault= unknown"
run mcexec $idx /bin/lwkprog write
run $MT shutdown $idx
run $MT destroy $idx

new_instance 2-3 0 1
run $MT load $idx $LWK_TEST
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

new_instance 2-3 0 1
lwk_boot $idx "hidos test_fault=syscall" $LWK_TEST
rc=0; mcexec $idx /bin/lwkprog write > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] && grep -q "the LWK of OS $idx panicked while /bin/lwkprog ran" /tmp/o ||
	fail "mcexec when the LWK panics under its program: rc $rc"
grep -q 'hello from write' /tmp/o && fail "the program ran although the LWK panicked"
[ "$(os_state $idx)" = PANIC ] || fail "state after the fault in a system call: $(os_state $idx)"
$MT kmsg $idx | tee /tmp/k
grep -q 'test_fault=syscall: reading an unmapped address' /tmp/k || fail "the LWK did not fault in the system call"
grep -q 'PANIC: exception #PF (14)' /tmp/k || fail "no page fault line in kmsg"
run $MT shutdown $idx
run $MT destroy $idx
run $MT release-cpus 2-3
run $MT release-mem all
expect_cpus_back
unload_mod
