#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, guest part: boot the guest once with mcos.bench, collect the
# BENCH lines of syscall-bench.sh and print medians and ratios (LWK time /
# native time; both measured in the same guest, so TCG's slowness cancels
# out as far as it can).
# usage: run.sh VMLINUZ INITRAMFS LOG TIMEOUT
set -u
kernel=$1 initrd=$2 log=$3 timeout_s=$4
here=$(cd "$(dirname "$0")/.." && pwd)
for attempt in 1 2; do
	timeout -k 10 "$timeout_s" sh "$here/qemu.sh" "$kernel" "$initrd" mcos.bench quiet < /dev/null \
		| tr -d '\r' > "$log"
	grep -q '^MCOS-BENCH ' "$log" && break
done
grep -q '^MCOS-BENCH ok' "$log" || { grep -v '^\[' "$log" | tail -n 30; echo "make bench: the guest bench failed (console: $log)"; exit 1; }
awk '$1 == "BENCH" { v[$2] = $3 }
END {
	printf "System calls from a static program, median of %d calls each (QEMU TCG guest, %s):\n", v["calls"], kernel
	printf "  %-34s %10s %10s %8s\n", "", "native ns", "LWK ns", "LWK/native"
	printf "  %-34s %10d %10d %8.2f\n", "offloaded to Linux (umask)", v["native_offloaded_ns"], v["lwk_offloaded_ns"], v["lwk_offloaded_ns"] / (v["native_offloaded_ns"] ? v["native_offloaded_ns"] : 1)
	printf "  %-34s %10d %10d %8.2f\n", "served by the LWK (getpid)", v["native_local_ns"], v["lwk_local_ns"], v["lwk_local_ns"] / (v["native_local_ns"] ? v["native_local_ns"] : 1)
}' kernel="$(basename "$kernel")" "$log"
