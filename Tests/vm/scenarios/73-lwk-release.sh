# SPDX-License-Identifier: GPL-2.0
# After shutdown the LWK's CPUs go back to Linux (add_cpu) and run Linux
# tasks again; a shut-down instance boots again without re-reserving.
. /scenarios/lib.sh
load_mod
run $MT setup 2-3 32M@0 16M@1
new_instance 2-3 0 1
lwk_boot $idx hidos
[ "$(os_state $idx)" = RUNNING ] || fail "first boot: $(os_state $idx)"
run $MT shutdown $idx
# boot again on the same reservations
lwk_boot $idx hidos
[ "$(os_state $idx)" = RUNNING ] || fail "second boot: $(os_state $idx)"
$MT ping $idx | grep -q 'answered 2 ' || fail "second boot: ping not answered"
run $MT shutdown $idx
run $MT destroy $idx
run $MT release-cpus 2-3
run $MT release-mem all
expect_cpus_back
unload_mod
