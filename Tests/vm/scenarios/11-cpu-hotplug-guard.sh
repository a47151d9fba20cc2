# SPDX-License-Identifier: GPL-2.0
# Linux cannot take back a CPU the module holds behind its back: writing 1
# to a held CPU's sysfs online file fails, reserved or running the LWK, and
# so does switching SMT back on (which onlines every offline CPU); the LWK
# keeps running through both.  The module's own release still works.
. /scenarios/lib.sh
load_mod
cpu=/sys/devices/system/cpu
run $MT setup 2-3 64M@0
if echo 1 > $cpu/cpu3/online; then
	fail "Linux onlined CPU 3, which the module holds"
fi
new_instance 2-3 0
lwk_boot $idx hidos
if echo 1 > $cpu/cpu2/online; then
	fail "Linux onlined CPU 2, which runs the LWK"
fi
[ "$(cat $cpu/cpu2/online)" = 0 ] || fail "CPU 2 is online"

smt=$cpu/smt/control
if [ -w $smt ] && [ "$(cat $smt)" = on ]; then
	run sh -c "echo off > $smt"
	log "SMT off: online CPUs $(online_cpus)"
	if echo on > $smt; then
		fail "SMT control accepted 'on' while the module holds CPUs 2-3"
	fi
	log "SMT on refused: control $(cat $smt), online CPUs $(online_cpus)"
	[ "$(cat $cpu/cpu2/online)" = 0 ] && [ "$(cat $cpu/cpu3/online)" = 0 ] ||
		fail "SMT on onlined a CPU the module holds: online $(online_cpus)"
	[ "$(cat $cpu/cpu1/online)" = 1 ] || echo 1 > $cpu/cpu1/online
else
	log "no SMT control in this guest ($(cat $smt 2>/dev/null))"
fi
expect_lwk_idle $idx "after the attempts to online its CPUs"

run $MT shutdown $idx
run $MT destroy $idx
run $MT release-cpus all
expect_cpus_back
run $MT release-mem all
unload_mod
