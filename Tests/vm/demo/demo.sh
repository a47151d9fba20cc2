#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo inside the guest (make demo): each command shown, then run.
# Stops at the first failing step with a non-zero status.
set -u
P=/profiles/qemu-knl-like.yaml

step() {
	echo
	echo "\$ $*"
	"$@" || { echo "demo: '$*' failed (exit $?)"; exit 1; }
}

online0=$(cat /sys/devices/system/cpu/online)
free() { awk '/MemFree/ { print $4 }' /sys/devices/system/node/node$1/meminfo; }
free0=$(free 0) free1=$(free 1)

step mcprov topology
step mcprov validate $P
echo; echo "\$ mcprov plan $P"; mcprov plan $P
rmh=$(awk '$3 == "real_mode_header" { print $1; exit }' /proc/kallsyms)
step insmod /mcos.ko real_mode_header=0x$rmh
step mcprov apply $P --auto-approve
step mcprov status
step mcprov kmsg
step mcprov teardown

echo
echo "# every CPU and all memory back with Linux?"
online=$(cat /sys/devices/system/cpu/online)
echo "online CPUs: $online (before: $online0)"
echo "NUMA 0 MemFree: $(free 0) kB (before: $free0 kB)"
echo "NUMA 1 MemFree: $(free 1) kB (before: $free1 kB)"
[ "$online" = "$online0" ] || { echo "demo: CPUs not back"; exit 1; }
back1=$(( $(free 1) - free1 ))
[ "${back1#-}" -le 1024 ] || { echo "demo: NUMA 1 memory not back (off by $back1 kB)"; exit 1; }
echo "demo: done, the node is as it was"
