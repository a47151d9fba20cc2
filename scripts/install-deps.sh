#!/usr/bin/env bash
# Installs what building and testing mcprov needs on Debian 12, beyond the Swift
# toolchain: hwloc (library, headers, and hwloc-info for the benchmark), libnuma, and
# a static busybox (the host tests start its applets through the LWK's user loader).
# With the argument `bench`, also what `make bench` needs: the serial OpenBLAS static
# library (DGEMM in a static program, no threads) and matplotlib (the noise plot).
# Run as root. Quick when everything is already there.
set -euo pipefail

packages=(libhwloc-dev libnuma-dev hwloc pkg-config python3 busybox-static)
if [ "${1:-}" = bench ]; then
  packages+=(libopenblas-serial-dev python3-matplotlib)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all host packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run this script as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
