# SPDX-License-Identifier: GPL-2.0
# What an ordinary program may do to its kernel, natively and on the
# LWK as uid 65534, with the same output and status (hostile.c):
# EFLAGS.NT set at exit (the next program on that CPU must still run),
# EFLAGS.TF, system call numbers above 2^32 and x32 ones, hostile pointers
# and lengths to every call the LWK serves itself, and mprotect of every
# other page of 128 MiB (16384 mappings).  After each: the LWK RUNNING, no
# PANIC in its log, its free memory back to what it was.  A check that
# fails does not hide the others: the LWK is booted again and they go on.
. /scenarios/lib.sh
H=/bin/hostile
load_mod
lwk_instance 192M@0 32M@1
log "vm.mmap_min_addr $(cat /proc/sys/vm/mmap_min_addr) (the LWK's user range starts at 64 KiB)"
mkdir -p /tmp/hostile
chown 65534:65534 /tmp/hostile
cd /tmp/hostile

failures=""
nobody() { $H as 65534 "$@"; }
mask() { sed 's/^pid .*/pid (masked)/' "$1"; }

# alive WHAT: the LWK survived WHAT; if not, note it and boot it again
alive() {
	state=$(os_state $idx)
	$MT kmsg $idx > /tmp/kmsg
	if [ "$state" != RUNNING ] || grep -q PANIC /tmp/kmsg; then
		tail -n 12 /tmp/kmsg
		failures="$failures; $1: the LWK is $state"
		$MT shutdown $idx > /dev/null
		# the log survives the boot: its PANIC must not be charged to the next check
		$MT kmsg-clear $idx > /dev/null 2>&1 || true
		lwk_boot $idx hidos > /dev/null
		return 1
	fi
	if grep -q 'at create' /tmp/kmsg; then
		grep 'at create' /tmp/kmsg
		failures="$failures; $1: the LWK's free memory did not come back"
	fi
	$MT kmsg-clear $idx > /dev/null 2>&1 || true
	return 0
}

# same NAME [MCEXEC-OPTIONS --] ARGS...: hostile ARGS natively and on the LWK
same() {
	name=$1
	shift
	opts=
	if [ "${2:-}" = -- ]; then opts=$1; shift 2; fi
	nrc=0; nobody $H "$@" > /tmp/native.out 2>&1 < /dev/null || nrc=$?
	lrc=0; nobody mcexec $opts $idx $H "$@" > /tmp/lwk.out 2>&1 < /dev/null || lrc=$?
	echo "== $name: native $nrc, LWK $lrc"
	mask /tmp/native.out > /tmp/native.m
	mask /tmp/lwk.out > /tmp/lwk.m
	if ! diff /tmp/native.m /tmp/lwk.m > /tmp/diff; then
		head -n 40 /tmp/diff
		failures="$failures; $name: output differs between Linux and the LWK"
	elif [ "$nrc" != "$lrc" ]; then
		failures="$failures; $name: exit status $lrc on the LWK, $nrc natively"
	fi
	alive "$name"
}

log "EFLAGS.NT at exit, then another program on the same CPU"
same "nt" "-c 0" -- nt
rc=0; mcexec -c 0 $idx /bin/lwkprog write > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 0 ] && grep -q 'hello from write' /tmp/o || failures="$failures; the program after nt: rc $rc"
alive "the program after nt"

log "EFLAGS.TF: a single-step trap"
same "tf" tf
same "tf before syscall" tfsyscall

log "system call numbers: the low 32 bits, x32"
same "numbers" numbers

log "hostile arguments to the calls the LWK serves"
same "args" args
grep -c ' = ' /tmp/lwk.out | sed 's/^/calls compared: /'

log "mprotect of every other page of 128 MiB"
t0=$(cut -d' ' -f1 /proc/uptime)
same "storm 128" storm 128
cat /tmp/lwk.out
log "storm: $(awk -v t0=$t0 '{ printf "%.1f s for both runs", $1 - t0 }' /proc/uptime)"

[ -z "$failures" ] || fail "${failures#; }"
lwk_teardown $idx
