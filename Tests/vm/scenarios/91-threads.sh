# SPDX-License-Identifier: GPL-2.0
# Threads on the LWK: one process over several LWK CPUs, one thread per CPU.
# threads basic (mutex, condition variable, barrier, rwlock, __thread, join
# values, tids, affinity) and omp (libgomp: team size, reduction, barrier,
# dynamic loop) run natively and on the LWK with mcexec -t N and
# OMP_NUM_THREADS=N, for every N up to the instance's LWK CPUs, and must print
# the same and exit the same, as do the other cases of threads N (signals
# between threads, cancel, timed waits, a detached thread), exit(3) in a
# thread while the others wait, and SIGUSR1 from Linux, to the process
# (kill) or to one thread (tgkill), taken by the thread that waits in a read.  A thread beyond the CPUs fails with EAGAIN.
# Afterwards every LWK CPU is idle and runs a program again, and the kernel
# heap does not grow.
. /scenarios/lib.sh
T=/bin/threads
O=/bin/omp
P=/bin/lwkprog
# A run that takes longer has hung (a guest under TCG is slow, not that slow).
BOUND=120

load_mod
run $MT setup 2-3 192M@0 32M@1
new_instance 2-3 0 1
lwk_boot $idx hidos
cpus=$(lwk_cpus $idx)
log "the LWK has $cpus CPUs: threads for N = 2 to $cpus"
[ "$cpus" -ge 2 ] || fail "threads need 2 LWK CPUs or more, the instance has $cpus"

# bounded SECONDS OUT CMD...: runs CMD, its output to OUT; sets rc to its status
# and bg to its pid.  A run still going after SECONDS is killed and fails the
# scenario, so that a program the LWK does not end cannot hang the guest.
bounded() {
	local seconds=$1 out=$2
	shift 2
	"$@" > "$out" 2>&1 < /dev/null &
	bg=$!
	reap $seconds "$out" "$*"
}

# reap SECONDS OUT WHAT: waits for job $bg (WHAT, its output in OUT), rc its status
reap() {
	local deadline=$(($(uptime_seconds) + $1))
	until exited $bg; do
		if [ "$(uptime_seconds)" -gt $deadline ]; then
			# where each of its threads waits, for the report
			for task in /proc/$bg/task/*; do
				echo "task ${task##*/}: state $(cut -d' ' -f3 $task/stat) in $(cat $task/wchan)"
				head -n 6 $task/stack 2> /dev/null
			done
			kill -9 $bg
			wait $bg 2> /dev/null
			cat "$2"
			$MT kmsg $idx | tail -n 15
			fail "'$3' did not end within $1 s"
		fi
		sleep 0.1
	done
	rc=0; wait $bg || rc=$?
}

# same NAME N CMD...: natively and on the LWK (mcexec -t N), both with
# OMP_NUM_THREADS=N, same output and status
same() {
	local name=$1 count=$2
	shift 2
	bounded $BOUND /tmp/native.out env OMP_NUM_THREADS=$count "$@"
	nrc=$rc
	bounded $BOUND /tmp/lwk.out env OMP_NUM_THREADS=$count mcexec -t $count $idx "$@"
	lrc=$rc
	echo "== $name: native $nrc, LWK $lrc"
	cat /tmp/lwk.out
	# every difference is shown before the scenario fails (failed at the end)
	diff /tmp/native.out /tmp/lwk.out || { $MT kmsg $idx | tail -n 15; failed="$failed $name"; }
	[ "$nrc" = "$lrc" ] || { echo "exit status $lrc on the LWK, $nrc natively"; failed="$failed $name"; }
}

all_idle() {
	$MT ping $idx | grep -q "^ping sent $cpus answered $cpus "
}

# expect_idle WHEN: every LWK CPU idle again (a thread's CPU is freed when its
# proxy thread sees it end: a moment after the program's own end)
expect_idle() {
	wait_until 10 "every LWK CPU to be idle $1" all_idle
	[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) $1"
}
failed=

n=2
while [ $n -le $cpus ]; do
	log "threads: $n threads, natively and on the LWK"
	same "threads $n" $n $T $n
	[ "$lrc" = 0 ] || failed="$failed threads-$n"
	expect_idle "after threads $n"
	n=$((n + 1))
done

n=1
while [ $n -le $cpus ]; do
	log "omp: OMP_NUM_THREADS=$n, natively and on the LWK"
	same "omp $n" $n $O
	[ "$lrc" = 0 ] || failed="$failed omp-$n"
	grep -qx "max threads: $n" /tmp/lwk.out || failed="$failed omp-$n-max-threads"
	expect_idle "after omp $n"
	n=$((n + 1))
done

# exit(3) in one thread ends those waiting in a futex and in an offloaded read
for waits in cond read; do
	n=2
	while [ $n -le $cpus ] && [ $n -le 3 ]; do
		log "exit-group: $n threads, the main one in $waits"
		same "exit-group $n $waits" $n $T $n exit-group $waits
		[ "$lrc" = 3 ] || failed="$failed exit-group-$n-$waits"
		expect_idle "after exit-group $n $waits"
		n=$((n + 1))
	done
done

# kill(1) of the process from this shell: the thread that does not block the
# signal takes it, and its read of a pipe ends with EINTR
# signalled OUT CMD...: CMD run as bounded runs it, sent SIGUSR1 once it is
# ready: to the process, or with CMD's last argument a file, to the thread
# whose tid CMD wrote there (tgkill)
signalled() {
	local out=$1 last
	shift
	for last; do :; done
	rm -f /tmp/tid
	"$@" > "$out" 2>&1 < /dev/null &
	bg=$!
	wait_until 30 "'$*' to be ready for SIGUSR1" grep -q '^linux-kill: ready' "$out"
	if [ "$last" = /tmp/tid ]; then
		run $MT tgkill $bg "$(cat /tmp/tid)" 10
	else
		kill -USR1 $bg
	fi
	reap 30 "$out" "$* (sent SIGUSR1)"
}
for how in kill tgkill; do
	log "$how -USR1 from Linux: the thread waiting in read takes it"
	tid_file=
	[ $how = kill ] || tid_file=/tmp/tid
	signalled /tmp/native.out $T 2 linux-kill $tid_file
	nrc=$rc
	signalled /tmp/lwk.out mcexec -t 2 $idx $T 2 linux-kill $tid_file
	echo "== linux-kill ($how): native $nrc, LWK $rc"
	cat /tmp/lwk.out
	diff /tmp/native.out /tmp/lwk.out || { $MT kmsg $idx | tail -n 15; failed="$failed linux-$how"; }
	[ "$nrc" = 0 ] && [ "$rc" = 0 ] || failed="$failed linux-$how-status"
	expect_idle "after linux-kill ($how)"
done
[ -z "$failed" ] || fail "differences between Linux and the LWK (or wrong status):$failed"

# One thread more than the CPUs mcexec -t gives, or than the LWK has: EAGAIN
# and one line in the LWK's log; another once one has ended.
for n in 1 $cpus; do
	log "beyond: mcexec -t $n, a thread more"
	bounded $BOUND /tmp/lwk.out mcexec -t $n $idx $T $n beyond
	cat /tmp/lwk.out
	[ "$rc" = 0 ] && grep -qx "create beyond CPUs: EAGAIN" /tmp/lwk.out ||
		{ $MT kmsg $idx | tail -n 15; fail "beyond $n: status $rc"; }
	expect_idle "after beyond $n"
done
$MT kmsg $idx | grep -q "a thread beyond the 1 LWK CPU(s) mcexec -t allows: EAGAIN" ||
	fail "the LWK's log does not say why a thread beyond mcexec -t 1 failed"

log "every LWK CPU runs a program again, the kernel heap does not grow"
# every_cpu_runs: a single-threaded program on each LWK CPU, by number
every_cpu_runs() {
	local c=0
	while [ $c -lt $cpus ]; do
		bounded $BOUND /tmp/o mcexec -c $c $idx $P exit42
		[ "$rc" = 42 ] || fail "LWK CPU $c after the threads: status $rc, expected 42: $(cat /tmp/o)"
		c=$((c + 1))
	done
}
for i in 1 2 3; do
	bounded $BOUND /tmp/lwk.out mcexec -t $cpus $idx $T $cpus basic
	[ "$rc" = 0 ] || { cat /tmp/lwk.out; $MT kmsg $idx | tail -n 15; fail "threads $cpus, run $i of 3 at the end: status $rc"; }
	# Once every CPU has held a process and a thread, what keeps its room has it.
	[ $i != 1 ] || every_cpu_runs
done
every_cpu_runs
scenario_dmesg | grep 'stays busy' && fail "a CPU stayed busy after a threaded program"
# The last programs, two of them threaded: each leaves the heap as it found it.
$MT kmsg $idx | grep 'kernel heap' | tail -n $((2 + cpus)) > /tmp/heap
[ "$(sed 's/.*kernel heap \([0-9]*\) bytes in use.*/\1/' /tmp/heap | sort -u | wc -l)" = 1 ] ||
	{ cat /tmp/heap; fail "the kernel heap grows from program to program"; }

log "the LWK's log"
$MT kmsg $idx > /tmp/kmsg
tail -n 20 /tmp/kmsg
grep -iE 'leak|panic' /tmp/kmsg && fail "the LWK's log reports a leak or a panic"
grep -E 'BUG' /tmp/kmsg && fail "the LWK's log reports a bug"

lwk_teardown $idx
