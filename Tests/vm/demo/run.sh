#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot the demo guest and show what the demo script prints; exit 0 only if
# the guest reports the demo went through. Like vm-test.sh, a guest that
# dies while Linux boots, before the demo starts, is booted once more.
# Linux's own console lines ("[   12.345678] ...") are left out of what is
# shown; the LWK's log lines ("[  0]: ...") have no fraction and stay.
# usage: run.sh VMLINUZ INITRAMFS LOG TIMEOUT
set -u
kernel=$1 initrd=$2 log=$3 timeout_s=$4
here=$(cd "$(dirname "$0")/.." && pwd)
for attempt in 1 2; do
	timeout -k 10 "$timeout_s" sh "$here/qemu.sh" "$kernel" "$initrd" mcos.demo quiet < /dev/null \
		| tr -d '\r' | tee "$log" \
		| awk '/^\$ / { on = 1 } on && !/^\[ *[0-9]+\.[0-9]+\]/'
	grep -q '^\$ ' "$log" && break
	[ "$attempt" = 1 ] && echo "(the guest died while Linux booted, before the demo started; booting it again)"
done
grep -q '^MCOS-DEMO ok' "$log" || { echo "make demo: the demo failed (console: $log)"; exit 1; }
