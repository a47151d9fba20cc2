# SPDX-License-Identifier: GPL-2.0
# The ring headers Linux and the LWK share say how big a ring is (IKC
# 'slots', kmsg 'data_bytes'), but either side may write them at any time:
# each side indexes its rings only with its own copy, fixed at boot.  The test image's test_fault=rings, once the LWK runs, sets
# every IKC ring header to 0xffffffff slots and the kmsg header to
# 0xffffffff bytes of text, then logs one buffer's worth of filler so that
# the log wraps.  A side that believed the headers would write past its
# buffers (the LWK's log past the kmsg pages: a page fault, PANIC) and leave
# its rings once a channel carried more packets than a ring holds (63): the
# LWK would stop answering.  So: the log wrapped intact, more pings per CPU
# than a ring holds are all answered, programs with hundreds of offloaded
# system calls per channel print and exit as natively, mcprov kmsg reads
# what the LWK logged about them, the LWK stays RUNNING with no BUG or
# PANIC in its log, Linux's log has no oops or warning, and everything is
# given back.
. /scenarios/lib.sh
LWK_TEST=/bin/mcos-lwk-test.elf
P=/bin/lwkprog
load_mod
run $MT setup 2-3 64M@0
new_instance 2-3 0
lwk_boot $idx "hidos test_fault=rings" $LWK_TEST

wrapped() {
	[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) while it wraps its log: $($MT kmsg $idx | tail -n 4)"
	$MT kmsg $idx | grep -q 'test_fault=rings: the log wrapped after'
}
wait_until 60 "the LWK to wrap its log" wrapped
$MT kmsg $idx > /tmp/k
# The oldest text is gone (the boot lines), the newest is whole: Linux reads
# the buffer by its own size, the LWK wrote it by its own.
tail -n 1 /tmp/k
tail -n 1 /tmp/k | grep -q '^\[  0\]: test_fault=rings: the log wrapped after [0-9]* filler lines; the headers say 4294967295 slots, 4294967295 bytes of text$' ||
	fail "the last line of the wrapped log is not the LWK's: $(tail -n 1 /tmp/k)"
grep -q 'IHK/McKernel started' /tmp/k && fail "the log did not wrap: the first boot line is still there"
[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) after the corruption"

log "100 pings per CPU: more than a ring's 63 slots, so every index wraps"
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	$MT ping $idx > /tmp/p
	grep -q '^ping sent 2 answered 2 ' /tmp/p || { $MT kmsg $idx | tail -n 5; fail "ping $i: $(cat /tmp/p)"; }
done
cat /tmp/p

log "programs: hundreds of offloaded calls on each CPU's channel"
# lwkprog read: one read(2) of 4 KiB at a time to the end of its input
dd if=/dev/urandom of=/tmp/big bs=1M count=1 2> /dev/null
mask() { sed 's/^pid .*/pid (masked)/' "$1"; }
for cpu in 0 1; do
	for args in write read exit42; do
		nrc=0; $P $args > /tmp/native.out 2>&1 < /tmp/big || nrc=$?
		lrc=0; mcexec -c $cpu $idx $P $args > /tmp/lwk.out 2>&1 < /tmp/big || lrc=$?
		echo "== lwkprog $args on LWK CPU $cpu: native $nrc, LWK $lrc"
		cat /tmp/lwk.out
		mask /tmp/native.out > /tmp/native.m
		mask /tmp/lwk.out > /tmp/lwk.m
		diff /tmp/native.m /tmp/lwk.m || fail "lwkprog $args: output differs between Linux and the LWK"
		[ "$nrc" = "$lrc" ] || fail "lwkprog $args: exit status $lrc on the LWK, $nrc natively"
	done
done

log "mcprov kmsg reads what the LWK logged after the corruption"
mcprov kmsg --instance $idx > /tmp/k
tail -n 3 /tmp/k
n=$(grep -c 'process [0-9]* exited' /tmp/k)
[ "$n" -ge 6 ] || fail "mcprov kmsg shows $n process ends of the 6 programs"
grep -q 'exited (status 0x2a00)' /tmp/k || fail "mcprov kmsg does not show lwkprog exit42's end"
if grep -E 'BUG|PANIC' /tmp/k; then fail "the LWK's log reports a bug or a panic"; fi
expect_lwk_idle $idx "after the programs"
if dmesg | grep -E "$KERNEL_BAD"; then fail "Linux's log has an oops or a warning"; fi

lwk_teardown $idx
expect_cpus_back
