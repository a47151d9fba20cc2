#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stage Debian's dynamically linked programs for the guest (87-dynamic): each
# binary at its own path under DIR (/usr/bin/…: the guest's /bin is busybox's),
# every shared library it needs (ldd) and libm (which dynprog dlopens) at the
# same path, with the dynamic loader.  For python3 the few files its start-up
# reads that are not frozen into it: the encodings package and os.py, the
# landmark it finds its prefix by; the rest of its standard library is left
# out (54 MiB), so python3 runs -c, not scripts that import much.
# usage: stage-dynamic.sh DIR BINARY...
set -eu
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir"
copy() {
	mkdir -p "$dir$(dirname "$1")"
	cp -L "$1" "$dir$1"
}
for binary in "$@"; do
	[ -e "$binary" ] || { echo "stage-dynamic.sh: $binary is not on this machine" >&2; exit 1; }
	copy "$binary"
	ldd "$binary" | awk '/=> \// { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }' |
	while read -r lib; do copy "$lib"; done
done
libm=$(ldconfig -p | awk '/libm\.so\.6 .*x86-64/ { print $NF; exit }')
copy "$libm"
for binary in "$@"; do
	case $binary in */python3*) ;; *) continue ;; esac
	stdlib=$("$binary" -c 'import os, sys; print(os.path.dirname(os.__file__))')
	mkdir -p "$dir$stdlib/lib-dynload"
	copy "$stdlib/os.py"
	mkdir -p "$dir$stdlib/encodings"
	cp "$stdlib"/encodings/*.py "$dir$stdlib/encodings/"
done
