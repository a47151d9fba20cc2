#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot one guest kernel with an initramfs under QEMU TCG.
# usage: qemu.sh VMLINUZ INITRAMFS [EXTRA KERNEL ARGS]
# env: VM_COM2 file for the second serial port (the LWK's console),
#      VM_QEMU_OPTS more QEMU options (make bench: -icount)
# Machine: 4 vCPUs (1 socket, 2 cores, 2 threads), 2 GiB in two NUMA nodes:
# node 0 = all CPUs + 1.5 GiB "DDR", node 1 = 512 MiB without CPUs (the
# shape of KNL MCDRAM in flat mode), SLIT distance 31.  -cpu max without
# la57: 4-level paging, as the notes recommend. An Intel vendor string, because
# with QEMU's default (AMD) vendor 6.1 sees no SMT and reports 4 cores.
set -eu
kernel=$1 initrd=$2
shift 2
# shellcheck disable=SC2086 # VM_QEMU_OPTS is a list of words
exec qemu-system-x86_64 -accel tcg ${VM_QEMU_OPTS:-} -cpu max,la57=off,vendor=GenuineIntel \
	-m 2G -smp 4,sockets=1,cores=2,threads=2 \
	-object memory-backend-ram,id=m0,size=1536M \
	-object memory-backend-ram,id=m1,size=512M \
	-numa node,nodeid=0,cpus=0-3,memdev=m0 \
	-numa node,nodeid=1,memdev=m1 \
	-numa dist,src=0,dst=1,val=31 \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=5 $*" \
	-nographic -serial mon:stdio -serial "file:${VM_COM2:-/dev/null}" -no-reboot
