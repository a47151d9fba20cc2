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
# Free memory of a node in KiB: MemFree plus the pages on the per-CPU free
# lists (which MemFree leaves out until they are drained).
free() {
	memfree=$(awk '/MemFree/ { print $4 }' /sys/devices/system/node/node$1/meminfo)
	pcp=$(awk -v n="$1" '$1 == "Node" { in_node = ($2 == n ",") } in_node && $1 == "count:" { sum += $2 } END { print sum + 0 }' /proc/zoneinfo)
	echo $(( memfree + pcp * 4 ))
}
free0=$(free 0) free1=$(free 1)

step mcprov topology
step mcprov validate $P
echo; echo "\$ mcprov plan $P"; mcprov plan $P
rmh=$(awk '$3 == "real_mode_header" { print $1; exit }' /proc/kallsyms)
step insmod /mcos.ko real_mode_header=0x$rmh
step mcprov apply $P --auto-approve
step mcprov status
# programs on the LWK (any user may run mcexec; the demo runs as root): mcexec
# proxies their system calls (output, files) on Linux
step mcexec hostname
step mcexec busybox uname -a
step mcexec /bin/lwkprog args hello from the LWK
# a shell on the LWK: $(...) forks a child (another LWK CPU, another mcexec)
step mcexec /bin/sh -c 'echo "machine $(uname -m), from a child of the shell on the LWK"'
echo; echo "\$ mcexec /bin/lwkprog exit42; echo \"exit status \$?\""
rc=0; mcexec /bin/lwkprog exit42 || rc=$?
echo "exit status $rc"
[ "$rc" = 42 ] || { echo "demo: the program's exit status did not come through"; exit 1; }
step mcprov kmsg
step mcprov teardown

echo
echo "# every CPU and all memory back with Linux?"
online=$(cat /sys/devices/system/cpu/online)
echo "online CPUs: $online (before: $online0)"
echo "NUMA 0 free: $(free 0) KiB (before: $free0 KiB)"
echo "NUMA 1 free: $(free 1) KiB (before: $free1 KiB)"
[ "$online" = "$online0" ] || { echo "demo: CPUs not back"; exit 1; }
# Missing memory is a leak; more free memory than at the start is Linux
# settling after boot. Node 0 runs Linux itself (page cache, slabs for the
# programs just run): 16 MiB of slack there, 4 MiB on the CPU-less node 1.
short0=$(( free0 - $(free 0) )) short1=$(( free1 - $(free 1) ))
[ "$short0" -le 16384 ] || { echo "demo: NUMA 0 is $short0 KiB short of what it had"; exit 1; }
[ "$short1" -le 4096 ] || { echo "demo: NUMA 1 is $short1 KiB short of what it had"; exit 1; }
echo "demo: done, the node is as it was"
