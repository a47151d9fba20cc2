# SPDX-License-Identifier: GPL-2.0
# Short programs, one after another, on one boot of the LWK: each ends one
# of the ways a program ends (exit 0, exit 42, a segfault, exit after
# mmap/mprotect/munmap), and each leaves the kernel heap exactly as it found
# it.  The LWK logs its heap in use at every program's end ("kernel heap N
# bytes in use"); the figure after the last program must equal the one after
# the first, to the byte, so a hundred programs show a leak of any size
# (one of a few KiB per program once exhausted the heap after a few hundred:
# a Swift trap, PANIC).  `make fuzz` runs a thousand (mcos.fuzz_scale=10).
. /scenarios/lib.sh
P=/bin/lwkprog
programs=$((100 * $(param fuzz_scale 1)))
load_mod
lwk_instance 64M@0 16M@1

heap() { $MT kmsg $idx | sed -n 's/.*kernel heap \([0-9]*\) bytes in use.*/\1/p' | tail -n 1; }

# one KIND: a program that ends so; its status must be what it is natively
one() {
	rc=0
	case $1 in
	0) mcexec $idx $P getpid > /dev/null 2>&1 || rc=$? ;;
	1) mcexec $idx $P exit42 > /dev/null 2>&1 || rc=$?; [ $rc = 42 ] && rc=0 ;;
	2) mcexec $idx $P segv > /dev/null 2>&1 || rc=$?; [ $rc = 139 ] && rc=0 ;;
	3) mcexec $idx $P mmap > /dev/null 2>&1 || rc=$? ;;
	esac
	[ $rc = 0 ] || fail "program $n (kind $1) ended with status $rc"
}

n=1
one 0
first=$(heap)
[ -n "$first" ] || fail "the LWK's log has no 'kernel heap' figure"
log "after the first program: kernel heap $first bytes in use"
t0=$(cut -d' ' -f1 /proc/uptime)
while [ $n -lt $programs ]; do
	n=$((n + 1))
	one $((n % 4))
done
log "$((programs - 1)) more programs in $(awk -v t0=$t0 '{ printf "%.1f s", $1 - t0 }' /proc/uptime)"
$MT kmsg $idx > /tmp/kmsg
tail -n 4 /tmp/kmsg
last=$(heap)
log "after program $programs: kernel heap $last bytes in use"
[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) after $programs programs"
grep -q 'PANIC\|BUG' /tmp/kmsg && fail "PANIC or BUG in the LWK's log after $programs programs"
[ "$last" = "$first" ] || fail "the kernel heap grew from $first to $last bytes over $programs programs"
lwk_teardown $idx
