# SPDX-License-Identifier: GPL-2.0
# Bench part "isolated" (QEMU with -icount, as "noise"; Linux booted with
# CPU 3 isolated: isolcpus=nohz,domain,managed_irq,3 nohz_full=3
# rcu_nocbs=3, the best Linux offers a compute CPU): the same probes on
# Linux CPU 3, with the work quantum the noise part measured.
quanta=$(param fwq_quanta 6000)
detour_s=$(param detour_s 5)
while [ "$(cut -d. -f1 /proc/uptime)" -lt 60 ]; do sleep 1; done
units=$(param fwq_units "")
[ -n "$units" ] || units=$(on_linux /bin/noise calibrate 1000)
value fwq_units $units
value isolated_cpus "$(cat /sys/devices/system/cpu/isolated)"
value nohz_full_cpus "$(cat /sys/devices/system/cpu/nohz_full)"
snapshot fwq-isolated.before
on_linux /bin/noise fwq $quanta $units > $OUT/fwq-isolated.txt || fail "fwq on the isolated CPU failed"
snapshot fwq-isolated.after
snapshot detour-isolated.before
on_linux /bin/noise detour $detour_s > $OUT/detour-isolated.txt || fail "detour on the isolated CPU failed"
snapshot detour-isolated.after
