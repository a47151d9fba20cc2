# SPDX-License-Identifier: GPL-2.0
# time_sharing: an LWK CPU holds several threads and processes (contexts) and
# gives each 1 ms turns while more than one has work.  On 2 LWK CPUs booted
# with time_sharing=4 (8 contexts), natively and on the LWK with the same
# output and status: threads with 4x the CPUs (mutex, condition variable,
# barrier, rwlock, TLS, join, ids, affinity, signals between threads, cancel,
# timed waits, a detached thread), OpenMP with 8 threads, exit(3) in a thread
# while 7 wait, a chain of 6 forks (7 processes at once), python3's
# multiprocessing with 2 workers, a busybox pipeline of 5 stages.  A program
# that started first on a CPU ends while one that never makes a system call
# spins on the same CPU (the timer gives it turns); a thread beyond the 8
# contexts fails with EAGAIN and one line in the LWK's log.  A program alone
# on its CPU takes no timer interrupt.  Afterwards every CPU is idle and the
# kernel heap does not grow.  mcexec -c refuses a CPU number past the CPUs.
. /scenarios/lib.sh
T=/bin/threads
O=/bin/omp
F=/bin/forktest
P=/bin/lwkprog
# A run that takes longer has hung (a guest under TCG is slow, not that slow).
BOUND=240
PER_CPU=4

load_mod
lwk_instance_with "hidos time_sharing=$PER_CPU" 192M@0 32M@1
cpus=$(lwk_cpus $idx)
[ "$cpus" = 2 ] || fail "the LWK has $cpus CPUs, this scenario wants 2"
contexts=$((cpus * PER_CPU))
$MT kmsg $idx | grep -q "time sharing: $PER_CPU contexts per CPU" ||
	fail "the LWK's log does not say it shares its CPUs"

log "-c names a CPU, not one of its contexts"
rc=0; mcexec -c $cpus $idx $P write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "has no LWK CPU $cpus: it has $cpus " /tmp/o ||
	fail "-c $cpus with $contexts contexts on $cpus CPUs: status $rc: $(cat /tmp/o)"

. /scenarios/compare.sh
shm_mount

export OMP_NUM_THREADS=$contexts
log "threads: $contexts threads on $cpus CPUs"
same "threads $contexts" $T $contexts
expects 0 threads
expect_idle "after threads $contexts"

log "omp: OMP_NUM_THREADS=$contexts on $cpus CPUs"
same "omp $contexts" $O
expects 0 omp
grep -qx "max threads: $contexts" /tmp/lwk.out || failed="$failed omp-max-threads"
expect_idle "after omp"

for waits in cond read; do
	log "exit-group: $contexts threads, the main one in $waits"
	same "exit-group $waits" $T $contexts exit-group $waits
	expects 3 "exit-group-$waits"
	expect_idle "after exit-group $waits"
done
unset OMP_NUM_THREADS

log "processes: a chain of 6 forks, python3 multiprocessing, a pipeline"
same "chain 6" $F chain 6
expects 0 chain
same "multiprocessing" /usr/bin/python3 /usr/lib/mcos-test/mpwork.py /tmp
expects 0 multiprocessing
same "pipeline of 5" /bin/sh -c 'echo one two three | /bin/cat | /usr/bin/tr a-z A-Z | /bin/cat | /usr/bin/md5sum'
expects 0 pipeline
expect_idle "after the processes"

log "turns: a program started first on CPU 0 ends while another spins there"
# busybox arithmetic makes no system call: only the timer gives the CPU back
mcexec -c 0 $idx /bin/sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; echo counted $i' > /tmp/first.out 2>&1 &
first=$!
sleep 1
mcexec -c 0 $idx $P spin > /tmp/spin.out 2>&1 &
spinner=$!
wait_until 30 "the spinner to spin" grep -qx spinning /tmp/spin.out
bg=$first
deadline=$(($(uptime_seconds) + BOUND))
until exited $first; do
	[ "$(uptime_seconds)" -le $deadline ] || { kill -9 $first $spinner; $MT kmsg $idx | tail -n 15; fail "the first program did not end beside the spinner"; }
	sleep 0.2
done
wait $first || fail "the first program exited $? beside the spinner"
grep -qx "counted 20000" /tmp/first.out || fail "the first program printed: $(cat /tmp/first.out)"
exited $spinner && fail "the spinner ended: $(cat /tmp/spin.out)"
kill -9 $spinner
wait $spinner 2> /dev/null
expect_idle "after the spinner's kill"

log "beyond: a thread more than the $contexts contexts"
bounded $BOUND /tmp/lwk.out mcexec $idx $T $contexts beyond
cat /tmp/lwk.out
[ "$rc" = 0 ] && grep -qx "create beyond CPUs: EAGAIN" /tmp/lwk.out ||
	{ $MT kmsg $idx | tail -n 15; fail "beyond $contexts: status $rc"; }
$MT kmsg $idx | grep -q "a thread beyond the $PER_CPU contexts of each of its LWK CPUs (time_sharing=$PER_CPU): EAGAIN" ||
	fail "the LWK's log does not say why a thread beyond the contexts failed"
expect_idle "after beyond"

log "a program alone on its CPU takes no timer interrupt"
bounded $BOUND /tmp/lwk.out mcexec -c 1 $idx $P exit42
[ "$rc" = 42 ] || fail "exit42: status $rc: $(cat /tmp/lwk.out)"
$MT kmsg $idx | grep "process $bg exited" | tail -n 1 > /tmp/line
grep -q " 0 timer," /tmp/line || fail "a program alone on its CPU took timer interrupts: $(cat /tmp/line)"

log "the kernel heap does not grow, the LWK's log"
for i in 1 2 3; do
	bounded $BOUND /tmp/lwk.out mcexec $idx $T $contexts basic
	[ "$rc" = 0 ] || { cat /tmp/lwk.out; $MT kmsg $idx | tail -n 15; fail "threads $contexts basic, run $i of 3: status $rc"; }
done
$MT kmsg $idx | grep 'kernel heap' | tail -n 2 > /tmp/heap
[ "$(sed 's/.*kernel heap \([0-9]*\) bytes in use.*/\1/' /tmp/heap | sort -u | wc -l)" = 1 ] ||
	{ cat /tmp/heap; fail "the kernel heap grows from program to program"; }
$MT kmsg $idx | tail -n 20
lwk_log_clean $idx "after time sharing"
[ -z "$failed" ] || fail "differences between Linux and the LWK (or wrong status):$failed"

shm_unmount
lwk_teardown $idx
