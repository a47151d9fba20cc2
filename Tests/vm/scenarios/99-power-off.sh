# SPDX-License-Identifier: GPL-2.0
# Power off with an LWK running a program: the module's reboot notifier
# stops every LWK first, since no LWK CPU may run on into the firmware or,
# after kexec, into the next kernel's bring-up. The guest powers off after
# its last scenario, so this one leaves its LWK (and the program) up for it
# and says what the console must show then: vm-test.sh checks that after
# MCOS-DONE, with no oops on the way down.
. /scenarios/lib.sh
load_mod
lwk_instance
mcexec $idx /bin/lwkprog spin > /tmp/spin 2>&1 &
wait_until 10 "the program to start spinning on the LWK" grep -q spinning /tmp/spin
[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx)"
# the notifier's notice must reach the console
echo 8 > /proc/sys/kernel/printk
echo "MCOS-EXPECT mcos$idx: LWK stopped for power off"
touch /tmp/mcos-keep-to-power-off
