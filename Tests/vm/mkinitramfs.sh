#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Pack the guest initramfs: static busybox, /init, the scenarios, the
# module, the test tool, and a tree of our tools with their libraries
# (stage-tools.sh) laid over the root.
# usage: mkinitramfs.sh OUT.cpio.gz MCOS.KO MCOS-TEST [TOOLS-DIR [LWK.ELF [PROGS-DIR [DYNAMIC-DIR]]]]
# (PROGS-DIR: test programs, copied to /bin; DYNAMIC-DIR: Debian's dynamic
# programs and their libraries (stage-dynamic.sh), laid over the root)
set -eu
out=$1 ko=$2 tool=$3 tools=${4:-} lwk=${5:-} progs=${6:-} dynamic=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/sbin" "$stage/proc" "$stage/sys" "$stage/dev" \
	"$stage/tmp" "$stage/scenarios"
cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$here/guest/init" "$stage/init"
cp "$here/demo/demo.sh" "$stage/demo.sh"
cp -r "$here/bench/guest" "$stage/bench"
cp "$here/scenarios/"*.sh "$here/scenarios/"*.txt "$stage/scenarios/"
cp "$ko" "$stage/mcos.ko"
cp "$tool" "$stage/bin/mcos-test"
chmod 755 "$stage/init" "$stage/bin/mcos-test"
if [ -n "$lwk" ]; then
	# where mcprov looks for the default image (../lib/mcprov beside its bin/),
	# and at / for the scenarios
	mkdir -p "$stage/lib/mcprov"
	cp "$lwk" "$stage/lib/mcprov/mcos-lwk.elf"
	ln -s lib/mcprov/mcos-lwk.elf "$stage/mcos-lwk.elf"
fi
if [ -n "$tools" ]; then
	cp -a "$tools/." "$stage/"
fi
if [ -n "$dynamic" ]; then
	cp -a "$dynamic/." "$stage/"
fi
if [ -n "$progs" ]; then
	cp "$progs/"* "$stage/bin/"
fi
mkdir -p "$stage/profiles"
cp "$here/../../profiles/"*.yaml "$stage/profiles/"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
