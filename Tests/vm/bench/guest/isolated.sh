# SPDX-License-Identifier: GPL-2.0
# Bench part "isolated" (QEMU with -icount, as "noise"; Linux booted with
# CPU 3 isolated: isolcpus=nohz,domain,managed_irq,3 nohz_full=3
# rcu_nocbs=3, the best Linux offers a compute CPU): the same probes on
# Linux CPU 3, with the work quantum the noise part measured.
settle
probe_settings
value isolated_cpus "$(cat /sys/devices/system/cpu/isolated)"
value nohz_full_cpus "$(cat /sys/devices/system/cpu/nohz_full)"
probe isolated on_linux
