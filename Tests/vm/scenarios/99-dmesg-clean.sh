# SPDX-License-Identifier: GPL-2.0
# The whole boot's kernel log, all scenarios included, has no BUG, Oops,
# WARNING or call trace (/init also checks around each scenario).
. /scenarios/lib.sh
dmesg > /tmp/dmesg
grep 'mcos' /tmp/dmesg | tail -n 20
if grep -E "$KERNEL_BAD" /tmp/dmesg; then
	fail "kernel log has BUG/Oops/WARNING lines"
fi
grep -q 'mcos: unloaded' /tmp/dmesg || fail "no trace of the module in the kernel log"
