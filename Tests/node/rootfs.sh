#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian 12 root file system of the node test, before our packages, for one of
# its two scopes:
#   full   systemd, irqbalance, munge and Slurm, DKMS with the older guest kernel's
#          headers, and (downloaded, not installed) the newer kernel's image and
#          headers for the kernel upgrade;
#   quick  systemd, irqbalance and DKMS with the older kernel's headers only: the
#          packages and mcprov@.service, small enough for CI's budget (the newer
#          kernel's headers would pull in its image and an initramfs build).
# Built with mmdebstrap from the host's apt sources and cached: its name carries the
# scope and a hash of the package lists, the sources and the mmdebstrap options, so
# changing any of them builds anew.
# usage: rootfs.sh CACHE_DIR full|quick OLD_KERNEL NEW_KERNEL
# prints the root directory's path; the new kernel's .debs (full) are in ROOT.debs/
set -eu
cache=$(mkdir -p "$1" && cd "$1" && pwd) scope=$2 old=$3 new=$4

packages="systemd systemd-sysv udev kmod procps iproute2 irqbalance jq dkms libhwloc15 libnuma1"
case $scope in
full)
	packages="$packages munge slurmd slurmctld slurm-client linux-headers-$old"
	upgrade="linux-image-$new-unsigned linux-headers-$new"
	;;
quick)
	packages="$packages linux-headers-$old"
	upgrade=
	;;
*) echo "rootfs: scope is full or quick, not $scope" >&2; exit 64 ;;
esac
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
# mmdebstrap installs no Recommends. Documentation, manuals and translations are left out: the guest is a test
# node, and every megabyte is unpacked into its RAM at boot.
options="--variant=minbase --mode=root
	--dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-include=/usr/share/doc/*/copyright
	--dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/locale/*
	--dpkgopt=path-exclude=/usr/share/info/*"

key=$( { echo "$packages" "$upgrade" "$options"; cat "$sources"; } | sha256sum | cut -c1-16)
root=$cache/rootfs-$scope-$key
if [ -d "$root" ] && [ -f "$root.debs/complete" ]; then
	echo "$root"
	exit 0
fi

command -v mmdebstrap >/dev/null || { echo "rootfs: mmdebstrap missing (Tests/node/install-deps.sh)" >&2; exit 1; }
rm -rf "$cache/rootfs-$scope"-*
mkdir -p "$root.debs"
echo "rootfs: building $root (mmdebstrap; a few minutes)" >&2
set --
if [ -n "$upgrade" ]; then
	set -- --customize-hook="chroot \"\$1\" apt-get -q -y --download-only install $upgrade" \
		--customize-hook="cp \"\$1\"/var/cache/apt/archives/*.deb '$root.debs/'"
fi
set -f	# the options hold path patterns for dpkg, not for the shell
# shellcheck disable=SC2086 # options and packages are word lists
mmdebstrap --quiet $options --include="$(echo $packages | tr ' ' ',')" \
	--customize-hook="chroot \"\$1\" apt-get -q clean" "$@" \
	bookworm "$root.new" "$sources" >&2
mv "$root.new" "$root"
touch "$root.debs/complete"
echo "$root"
