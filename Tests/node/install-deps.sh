#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make deb` and the node test need on the Debian 12 host, beyond the VM
# harness's packages: dpkg-dev (dpkg-shlibdeps), patchelf, mmdebstrap for the guest's root file
# system, lintian, and Slurm's spank.h for mcprov-slurm's SPANK plugin. Run as root;
# quick when everything is there.
set -eu
packages="dpkg-dev patchelf mmdebstrap lintian cpio libslurm-dev"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: node test packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing$missing; run as root" >&2
	exit 1
fi
echo "install-deps: installing$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
