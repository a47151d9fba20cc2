# SPDX-License-Identifier: GPL-2.0
# execve and execveat on the LWK: exectest runs each case natively and on the
# LWK, which must print the same and exit the same.  A chain of 50 execs of
# itself keeps the pid, ppid, argv and envp; the signal state (blocked and
# pending kept, SIG_IGN kept, handlers back to SIG_DFL, flags, masks and the
# alternate stack cleared) and what mcexec itself was started with (ignored and
# blocked signals) given to its program, descriptors (O_CLOEXEC ones closed, the others
# open with their offsets), cwd, RLIMIT_NOFILE and umask as Linux keeps them;
# every refusal (ENOENT, ENOTDIR, EACCES of a directory, a file without x and
# a noexec mount, ENOEXEC, ELOOP beyond 5 #! levels, E2BIG, EFAULT, ENAMETOOLONG,
# a missing PT_INTERP loader, execveat's EBADF, ENOTDIR, EINVAL) leaves the
# program running as it was; a #! script, 5 levels of them, execveat of an open
# file, the new program's exit status and death by a signal, an exec from a
# thread (the others end, the caller takes the pid), dynamic programs, and a
# busybox shell's exec.  Afterwards every LWK CPU is idle, and the kernel heap
# was the same after each of the chain's execs once warm.
. /scenarios/lib.sh
E=/bin/exectest
D=/tmp/exec
# A run that takes longer has hung (a guest under TCG is slow, not that slow).
BOUND=120

load_mod
lwk_instance 160M@0
cpus=$(lwk_cpus $idx)
mkdir -p $D/noexec
run mount -t tmpfs -o noexec,size=4m none $D/noexec
cp $E $D/noexec/

. /scenarios/compare.sh

# heap_flat PID: the LWK's log has a kernel heap line for each exec of process
# PID and one for its exit, each after the old program's memory went back: the
# same once the first few have warmed up what the LWK keeps for good
heap_flat() {
	$MT kmsg $idx | grep "process $1 .*kernel heap" |
		sed 's/.*kernel heap \([0-9]*\) bytes in use.*/\1/' > /tmp/heap
	if [ "$(wc -l < /tmp/heap)" -lt 51 ]; then
		echo "the LWK's log has $(wc -l < /tmp/heap) kernel heap lines of process $1, expected 51"
		return 1
	fi
	tail -n +6 /tmp/heap | sort -u > /tmp/heap.warm
	log "kernel heap: $(head -n 1 /tmp/heap) bytes after the first exec, then $(tr '\n' ' ' < /tmp/heap.warm)"
	[ "$(wc -l < /tmp/heap.warm)" = 1 ]
}

log "a chain of 50 execs: pid, ppid, argv and envp kept; the kernel heap does not grow"
same "chain 50" $E chain 50
expects 0 chain
heap_flat $bg || failed="$failed chain-heap"
expect_idle "after the chain"

log "what execve keeps and what it resets"
same "signals" $E signals
expects 0 signals
same "fds" $E fds
expects 0 fds
same "state" $E state $D
expects 0 state
log "the signals mcexec was started with ignored or blocked, its program starts with"
same_via "inherited" "$E inherit" $E inherited
expects 0 inherited

log "refusals: the program goes on"
same "errors" $E errors $D
expects 0 errors
grep -qx 'noexec mount: EACCES; still here' /tmp/lwk.out || failed="$failed noexec"

log "scripts, execveat, how the new program ends"
same "script" $E script $D
expects 7 script
same "script chain 5" $E script-chain $D 5
expects 0 script-chain
same "execveat" $E execveat
expects 0 execveat
same "status 3" $E status 3
expects 3 status-3
same "die 15" $E die 15
expects 143 die-15
same "die 9" $E die 9
expects 137 die-9
expect_idle "after the programs that die"

log "exec from a thread: the others end, the caller takes the pid"
n=2
while [ $n -le $cpus ] && [ $n -le 3 ]; do
	for who in other main; do
		same "threads $n $who" $E threads $n $who
		expects 0 threads-$n-$who
		expect_idle "after threads $n $who"
	done
	n=$((n + 1))
done

log "dynamic programs, a busybox shell's exec"
same "dynamic" $E dynamic
same "dynamic-env" $E dynamic-env
same "sh -c exec echo" /bin/sh -c 'exec /usr/bin/echo hi'
same "sh exec builtin" /bin/sh -c 'echo before exec; exec /bin/exectest hello $$ from a busybox shell'
grep -qx 'hello: pid kept yes: from a busybox shell' /tmp/lwk.out || failed="$failed sh-exec-pid"
same "sh exec of nothing" /bin/sh -c 'exec /nonexistent'
expects 127 sh-exec-missing
[ -z "$failed" ] || fail "differences between Linux and the LWK (or wrong status):$failed"

log "every LWK CPU idle"
expect_idle "at the end"
scenario_dmesg | grep 'stays busy' && fail "a CPU stayed busy after an exec"

log "the LWK's log"
$MT kmsg $idx > /tmp/kmsg
tail -n 20 /tmp/kmsg
grep -iE 'leak|panic' /tmp/kmsg && fail "the LWK's log reports a leak or a panic"
grep -E 'BUG' /tmp/kmsg && fail "the LWK's log reports a bug"

umount $D/noexec
expect_lwk_idle $idx "after the execs"
lwk_teardown $idx
