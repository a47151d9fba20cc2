#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, guest part: boots the guest once per bench part and unpacks
# each part's results into DIR/PART/ for bench/report.py.
#   noise     QEMU -icount (ICOUNT): guest time is executed instructions, so
#             the host's scheduling of the vCPU threads cannot stretch a
#             quantum; what does stretch it is guest work on any vCPU
#   isolated  the same, Linux booted with CPU 3 isolated, and the noise
#             part's work quantum
#   main      plain TCG (guest time is host time): kernels, calls, start-up
#   mpi       plain TCG: MPICH's ping-pong between two ranks, Linux and LWK
# usage: run.sh VMLINUZ INITRAMFS DIR TIMEOUT
# env: BENCH_ICOUNT (default "shift=3,sleep=off"), BENCH_PARTS (default
#      "noise isolated main mpi"), BENCH_ARGS (extra kernel arguments, e.g.
#      mcos.fwq_quanta=2000 for a quick run)
set -u
kernel=$1 initrd=$2 dir=$3 timeout_s=$4
here=$(cd "$(dirname "$0")/.." && pwd)
icount=${BENCH_ICOUNT:-shift=3,sleep=off}
isolate="isolcpus=nohz,domain,managed_irq,3 nohz_full=3 rcu_nocbs=3"

# boot PART QEMU-OPTIONS KERNEL-ARGS...: one guest; 0 when its results are in
boot() {
	part=$1 qemu_opts=$2
	shift 2
	out=$dir/$part log=$dir/$part.console.log
	rm -rf "$out" && mkdir -p "$out"
	echo "make bench: booting $(basename "$kernel") for part \"$part\"${qemu_opts:+ ($qemu_opts)}"
	for attempt in 1 2; do
		VM_QEMU_OPTS=$qemu_opts timeout -k 10 "$timeout_s" sh "$here/qemu.sh" "$kernel" "$initrd" \
			"mcos.bench=$part" quiet ${BENCH_ARGS:-} "$@" < /dev/null | tr -d '\r' > "$log"
		grep -q '^MCOS-BENCH ' "$log" && break
	done
	sed -n '/MCOS-BENCH-RESULTS begin$/,/^MCOS-BENCH-RESULTS end$/p' "$log" | sed '1d;$d' |
		base64 -d 2>/dev/null | tar -xzf - -C "$out" 2>/dev/null
	if ! grep -q '^MCOS-BENCH ok' "$log"; then
		grep -v '^\[' "$log" | grep -v '^[A-Za-z0-9+/=]*$' | tail -n 30
		echo "make bench: part \"$part\" failed (console: $log)"
		return 1
	fi
}

rc=0
for part in ${BENCH_PARTS:-noise isolated main mpi}; do
	case $part in
	noise) boot noise "-icount $icount" || rc=1 ;;
	isolated)
		units=$(awk '$1 == "fwq_units" { print $2 }' "$dir/noise/values.txt" 2>/dev/null)
		boot isolated "-icount $icount" $isolate ${units:+mcos.fwq_units=$units} || rc=1 ;;
	main) boot main "" || rc=1 ;;
	mpi) boot mpi "" || rc=1 ;;
	*) echo "make bench: unknown part $part"; rc=1 ;;
	esac
done
exit $rc
