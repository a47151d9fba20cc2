# SPDX-License-Identifier: GPL-2.0
# fork, vfork, posix_spawn and the wait calls on the LWK: forktest runs each
# case natively and on the LWK, which must print the same and exit the same.
# The child's pid and ppid, fork's two returns, ECHILD after the last wait;
# 32 MiB of malloc, data, bss, stack and TLS copied whole and the child's
# writes its own; MAP_SHARED | MAP_ANONYMOUS memory the same in parent and
# children, each child's writes seen, MADV_DONTNEED keeping it; a pipe and
# a file offset shared through the fork; SIGCHLD
# with its siginfo, children killed by SIGTERM and by abort(); waitpid
# WNOHANG, waitid, wait4 with rusage, waitpid(-1); vfork with execve and with
# _exit, posix_spawn, system(); a fork from a process with a second thread; a
# chain of children of children; 50 forks one after the other.  A busybox shell
# (commands, $(...), a pipeline, a subshell, a background job, a kill of
# itself, a loop of 20 commands) and python3's os.fork, os.waitpid and
# os.pipe do the same; a child that execs under mcexec -c runs on its own CPU.  Each process needs an idle LWK CPU of its own: the
# LWK has three, and a fork with none left fails with EAGAIN, said once in
# the LWK's log.  Afterwards every LWK CPU is idle, and the kernel heap was
# the same after each of the 50 children once warm.
. /scenarios/lib.sh
F=/bin/forktest
# A run that takes longer has hung (a guest under TCG is slow, not that slow).
BOUND=120
# Three LWK CPUs: a parent, its child and a grandchild (or a second thread).
CPUS=3

load_mod
run $MT setup 1-3 160M@0
new_instance 1-3 0
lwk_boot $idx hidos
cpus=$(lwk_cpus $idx)
[ "$cpus" = $CPUS ] || fail "the LWK has $cpus CPUs, the forks need $CPUS"

. /scenarios/compare.sh

# heap_flat PID COUNT: the LWK's log has a kernel heap line for the exit of each
# of the COUNT children process PID forked (none of them execs), each after the
# child's memory went back: the same once the first few have warmed up what the
# LWK keeps for good.  A growth is reported per fork.
heap_flat() {
	$MT kmsg $idx > /tmp/kmsg
	sed -n "s/.*process \([0-9]*\) forked from process $1,.*/\1/p" /tmp/kmsg > /tmp/children
	sed -n 's/.*process \([0-9]*\) exited .*kernel heap \([0-9]*\) bytes in use.*/\1 \2/p' /tmp/kmsg |
		awk 'NR == FNR { child[$1] = 1; next } $1 in child { print $2 }' /tmp/children - > /tmp/heap
	if [ "$(wc -l < /tmp/heap)" != "$2" ]; then
		echo "the LWK's log has $(wc -l < /tmp/heap) kernel heap lines of the children of process $1, expected $2"
		return 1
	fi
	tail -n +6 /tmp/heap | sort -u > /tmp/heap.warm
	log "kernel heap: $(head -n 1 /tmp/heap) bytes after the first child, then $(tr '\n' ' ' < /tmp/heap.warm)"
	[ "$(wc -l < /tmp/heap.warm)" = 1 ] && return 0
	warm=$(sed -n 6p /tmp/heap)
	last=$(tail -n 1 /tmp/heap)
	echo "the kernel heap grew from $warm to $last bytes from child 6 to child $2: $(((last - warm) / ($2 - 6))) bytes a fork"
	return 1
}

log "fork: pids, memory, pipes and file offsets, signals, every wait"
same "basic" $F basic
expects 0 basic
same "memory" $F memory
expects 0 memory
same "shared" $F shared
expects 0 shared
same "pipe" $F pipe
expects 0 pipe
same "signals" $F signals
expects 0 signals
same "wait-variants" $F wait-variants
expects 0 wait-variants
same "reaping" $F reaping
expects 0 reaping
expect_idle "after the forks"

log "vfork, posix_spawn, system; a fork from a process with two threads"
same "vfork" $F vfork
expects 0 vfork
same "threads" $F threads
expects 0 threads
expect_idle "after vfork and threads"

log "children of children; 50 forks, and the kernel heap does not grow"
same "chain 2" $F chain 2
expects 0 chain
same "many 50" $F many 50
expects 0 many
heap_flat $bg 50 || failed="$failed many-heap"
expect_idle "after the chain and the 50 forks"

log "a busybox shell"
same "sh command" /bin/sh -c '/bin/true; echo $?'
same "sh \$(...)" /bin/sh -c 'x=$(/bin/echo inside); echo "got [$x]"'
same "sh pipeline" /bin/sh -c 'echo a b | /usr/bin/md5sum'
same "sh subshell" /bin/sh -c '(exit 3); echo $?'
# busybox runs an applet named without a path (sleep) by an exec of /proc/self/exe
same "sh background job" /bin/sh -c 'sleep 0.2 & wait $!; echo $?'
same "sh background job by path" /bin/sh -c '/bin/sleep 0.2 & wait $!; echo $?'
same "sh kills itself" /bin/sh -c 'kill -TERM $$'
expects 143 sh-kill
same "sh loop of 20" /bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/echo "command $i"; done'
expect_idle "after the shell"

log "python3: os.fork, os.waitpid, os.pipe"
same "python3 fork" /usr/bin/python3 -c '
import os
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"through a pipe from the child")
    os._exit(9)
os.close(w)
print(os.read(r, 100).decode())
got, status = os.waitpid(pid, 0)
print("waitpid: the child", got == pid, "exited", os.WIFEXITED(status), os.WEXITSTATUS(status))'
grep -qx 'waitpid: the child True exited True 9' /tmp/lwk.out || failed="$failed python3-status"
expect_idle "after python3"

log "mcexec -c names the first program's CPU: a child that execs stays on its own"
bounded $BOUND /tmp/lwk.out mcexec -c 1 $idx /bin/sh -c '/bin/echo the child execs; echo $?'
cat /tmp/lwk.out
[ "$rc" = 0 ] && [ "$(cat /tmp/lwk.out)" = "the child execs
0" ] || failed="$failed exec-in-a-child-with-c"
expect_idle "after mcexec -c"

log "no idle LWK CPU left for a fork: EAGAIN, said once in the LWK's log"
bounded $BOUND /tmp/lwk.out mcexec $idx $F eagain
cat /tmp/lwk.out
[ "$rc" = 0 ] || { echo "forktest eagain exited $rc on the LWK"; failed="$failed eagain-status"; }
grep -qx 'third fork: EAGAIN' /tmp/lwk.out || failed="$failed eagain"
told=$($MT kmsg $idx | grep -c "process $bg: a new process needs an idle LWK CPU")
[ "$told" = 1 ] || { echo "the LWK's log says $told times that process $bg found no idle LWK CPU"; failed="$failed eagain-log"; }

log "every LWK CPU idle"
expect_idle "at the end"
scenario_dmesg | grep 'stays busy' && fail "a CPU stayed busy after a fork"

log "the LWK's log"
$MT kmsg $idx > /tmp/kmsg
tail -n 20 /tmp/kmsg
grep -iE 'leak|panic' /tmp/kmsg && fail "the LWK's log reports a leak or a panic"
grep -E 'BUG' /tmp/kmsg && fail "the LWK's log reports a bug"
[ -z "$failed" ] || fail "differences between Linux and the LWK (or wrong status):$failed"

lwk_teardown $idx
