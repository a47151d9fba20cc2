#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stage our Swift tools for the guest: each binary into DIR/bin, and every
# shared library it needs (ldd) at the same path under DIR, with the
# dynamic loader.  The Swift runtime and Foundation are linked statically
# (--static-swift-stdlib); what remains is hwloc and the C/C++ runtime.
# usage: stage-tools.sh DIR BINARY...
set -eu
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir/bin"
for binary in "$@"; do
	cp "$binary" "$dir/bin/"
	strip "$dir/bin/$(basename "$binary")"
	ldd "$binary" | awk '/=> \// { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }' |
	while read -r lib; do
		mkdir -p "$dir$(dirname "$lib")"
		cp -L "$lib" "$dir$lib"
	done
done
