#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stage Debian's dynamically linked programs for the guest (87-dynamic): each
# binary at its own path under DIR (/usr/bin/…: the guest's /bin is busybox's),
# every shared library it needs (ldd) and libm (which dynprog dlopens) at the
# same path, with the dynamic loader.  For python3 the few files its start-up
# reads that are not frozen into it: the encodings package and os.py, the
# landmark it finds its prefix by; and the modules each script of
# STAGE_PYTHON_SCRIPTS imports, as a native run of it here shows (with the
# libraries of the extension modules among them), the script itself in
# /usr/lib/mcos-test; the rest of its standard library is left out (54 MiB),
# unless STAGE_PYTHON_TESTS names some of CPython's regression tests (Debian's
# libpython3.11-testsuite, for 98-cpython): then the standard library comes
# whole, but for what no test here needs (Tk, IDLE, 2to3, the static library,
# the library's own test directories), links followed (Debian's
# sitecustomize.py is one into /etc), with every extension module's
# libraries; and of the test package its helpers and data (but the decimal
# test data) and the named test modules.  Each directory of STAGE_TREES comes
# whole (links kept), with the libraries of every shared object in it: the
# plugins, help texts and configuration Open MPI loads at run time.
# usage: [STAGE_PYTHON_SCRIPTS="SCRIPT..."] [STAGE_PYTHON_TESTS="test_NAME..."]
#        [STAGE_TREES="DIR..."] stage-dynamic.sh DIR BINARY...
set -eu
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir"
copy() {
	mkdir -p "$dir$(dirname "$1")"
	cp -L "$1" "$dir$1"
}
# copy_libraries FILE...: the shared libraries each FILE needs (those ldd finds),
# the dynamic loader among them
copy_libraries() {
	for file in "$@"; do
		ldd "$file" | awk '/=> \// { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }' |
		while read -r lib; do copy "$lib"; done
	done
}
# stage_python_tests STDLIB: the standard library and the tests of STAGE_PYTHON_TESTS
stage_python_tests() {
	[ -d "$1/test/libregrtest" ] || {
		echo "stage-dynamic.sh: no CPython tests in $1/test: install libpython3.11-testsuite" >&2
		exit 1
	}
	mkdir -p "$dir$1"
	tar -C "$1" -chf - --exclude=test --exclude=tests --exclude=idlelib --exclude=tkinter \
		--exclude=turtledemo --exclude=lib2to3 --exclude='config-*' --exclude=ensurepip \
		--exclude=site-packages --exclude=dist-packages . | tar -C "$dir$1" -xf -
	copy_libraries "$dir$1"/lib-dynload/*.so
	tar -C "$1" -cf - --exclude='test_*' --exclude=decimaltestdata test | tar -C "$dir$1" -xf -
	for test in $STAGE_PYTHON_TESTS; do
		files=$(cd "$1" && ls -d test/$test.py test/$test test/__pycache__/$test.* 2> /dev/null || true)
		[ -n "$files" ] || { echo "stage-dynamic.sh: $1/test has no $test" >&2; exit 1; }
		# shellcheck disable=SC2086 # a list of paths without blanks
		(cd "$1" && tar -cf - $files) | tar -C "$dir$1" -xf -
	done
}
for binary in "$@"; do
	[ -e "$binary" ] || { echo "stage-dynamic.sh: $binary is not on this machine" >&2; exit 1; }
	copy "$binary"
	copy_libraries "$binary"
done
for tree in ${STAGE_TREES:-}; do
	[ -d "$tree" ] || { echo "stage-dynamic.sh: $tree is not on this machine" >&2; exit 1; }
	mkdir -p "$dir$(dirname "$tree")"
	cp -a "$tree" "$dir$(dirname "$tree")/"
	find "$tree" -type f -name '*.so*' | while read -r object; do copy_libraries "$object"; done
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
	[ -z "${STAGE_PYTHON_TESTS:-}" ] || stage_python_tests "$stdlib"
	for script in ${STAGE_PYTHON_SCRIPTS:-}; do
		mkdir -p "$dir/usr/lib/mcos-test"
		cp "$script" "$dir/usr/lib/mcos-test/"
		scratch=$(mktemp -d)
		# the modules a run of the script loaded, whether it passed or not
		"$binary" -c 'import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None):
            print(module.__file__, file=sys.stderr)' "$script" "$scratch" 2> "$scratch/modules" > /dev/null || true
		grep '^/' "$scratch/modules" | sort -u | while read -r module; do
			copy "$module"
			case $module in
			*.so) copy_libraries "$module" ;;
			esac
		done
		rm -rf "$scratch"
	done
done
