# SPDX-License-Identifier: GPL-2.0
# What one user may hold of the LWK: a process created but never started
# is ended after mcos.start_timeout seconds (3 here) and its CPU taken by
# the next program; with mcos.user_cpu_limit=1 a user other than root holds
# one LWK CPU at most (EAGAIN beyond it), root is not capped.
. /scenarios/lib.sh
load_mod start_timeout=3 user_cpu_limit=1
lwk_instance
dmesg -c > /dev/null
run mcos-hostile -u 65534 expire $idx 3
dmesg | grep -q 'not started within 3 s' || fail "the kernel log does not say why the process ended"
run mcos-hostile -u 65534 cap $idx 1
run mcos-hostile cap $idx 1
expect_lwk_idle $idx "after the checks"
lwk_teardown $idx
