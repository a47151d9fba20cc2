#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install what the mcos VM harness needs (run as root on Debian 12):
# QEMU, a static busybox, cpio, stress-ng (97-stress-ng runs Debian's own),
# CPython's regression tests (98-cpython: libpython3.11-testsuite),
# MPICH and Open MPI (95-mpi: their launchers, libraries and mpicc),
# Debian's 6.1 kernel + headers and the newest
# 6.12 (+deb12) kernel + headers that the apt archive offers.
# Idempotent: when everything is already installed it returns at once
# (set MCOS_DEPS_REFRESH=1 to look for a newer 6.12 anyway).
set -eu

export DEBIAN_FRONTEND=noninteractive
base="qemu-system-x86 busybox-static cpio gcc make libc6-dev linux-image-amd64 linux-headers-amd64 stress-ng
	python3 libpython3.11-testsuite mpich libmpich-dev openmpi-bin libopenmpi-dev"

have_all() {
	for p in $base; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || return 1
	done
	# a 6.12 kernel image with its headers
	for h in /usr/src/linux-headers-6.12.*+deb12-amd64; do
		v=${h#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$v" ] && return 0
	done
	return 1
}

if [ "${MCOS_DEPS_REFRESH:-0}" != 1 ] && have_all; then
	echo "install-deps: everything already installed"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root" >&2
	exit 1
fi

apt-get update -q
# newest 6.12 flavour for which both the unsigned image and the headers exist
v612=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
	sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)-unsigned .*/\1/p' | sort -V |
	while read -r v; do
		apt-cache show "linux-headers-$v" >/dev/null 2>&1 && echo "$v"
	done | tail -n 1)
if [ -z "$v612" ]; then
	echo "install-deps: no linux-image-6.12.*+deb12-amd64-unsigned with headers found" >&2
	exit 1
fi
echo "install-deps: 6.12 kernel: $v612"
apt-get install -y -q --no-install-recommends $base \
	"linux-image-$v612-unsigned" "linux-headers-$v612"
echo "install-deps: done"
