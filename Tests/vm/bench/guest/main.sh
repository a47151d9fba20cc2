# SPDX-License-Identifier: GPL-2.0
# Bench part "main" (plain TCG: guest time is host time): the compute and
# memory kernels on Linux CPU 3, then on the same vCPU as LWK CPU 1, then on
# Linux CPU 3 again (host load drifts over a run; the report takes each
# side's best, so a slow moment on the host does not decide the ratio);
# apply -> running and teardown -> all back; the offloaded and LWK-local
# calls against the same calls native; two threads on Linux CPUs 2-3 and on
# the same vCPUs as LWK CPUs 0-1, twice on each (futex wake-up, thread
# create+join, OpenMP barrier and reduction); mcexec's own CPU time and
# wake-ups while its program computes; mcexec of a static and of a dynamic
# program to its main; fork+exit+wait and exec (procbench), natively and on
# the LWK.  The offloaded calls and mcexec's cost are measured twice: with the
# LWK's interrupt waking the proxy, and with the proxy polling
# (mcos.ikc_poll=1).
# Last, the calls again with page-table isolation (pti=on).
# the program's status, not sed's, decides each "PROGRAM | sed ... || fail"
set -o pipefail
calls=$(param calls 20000)
idle_s=$(param idle_seconds 10)
futex_rounds=$(param futex_rounds 1000)
creations=$(param creations 100)
omp_reps=$(param omp_reps 15)
forks=$(param forks 100)
exec_runs=$(param exec_runs 7)
thread_bound_s=120
value thp "$(cat /sys/kernel/mm/transparent_hugepage/enabled)"

kernels_on_linux() {
	for k in triad gups dgemm stencil; do
		on_linux /bin/kernels $k | sed 's/^/linux_/' >> $OUT/kernels.txt || fail "kernel $k failed on Linux"
	done
}

# threads_on PREFIX RUNNER...: futex wake-ups, thread create+join, OpenMP
# barriers and reductions, two threads on the two CPUs RUNNER gives them, each
# mode bounded (one that hung would cost the part all its results).  OpenMP's
# threads are bound natively as the LWK binds them by nature; only its own
# run, since libgomp pins the main thread at start under OMP_PROC_BIND.  Each
# side runs twice, apart (two threads wait on each other, so a vCPU the host
# runs late shows in full; the report takes each side's best run).
threads_on() {
	local prefix=$1
	shift
	threadbench $prefix futex $futex_rounds "$@"
	threadbench $prefix create $creations "$@"
	if [ $prefix = native ]; then
		threadbench $prefix omp $omp_reps env OMP_NUM_THREADS=2 OMP_PROC_BIND=true "$@"
	else
		threadbench $prefix omp $omp_reps env OMP_NUM_THREADS=2 "$@"
	fi
}

# process_costs PREFIX RUNNER...: fork+exit+wait, and exec of the static and of
# the dynamic procbench (ten in a row, to main), each a median; on the LWK a
# fork's child runs on the other LWK CPU, natively on the same Linux CPU.
process_costs() {
	local prefix=$1
	shift
	"$@" /bin/procbench fork $forks | sed "s/^/${prefix}_/" >> $OUT/processes.txt ||
		fail "procbench fork failed ($prefix)"
	"$@" /bin/procbench exec $exec_runs /bin/procbench | sed "s/^exec/${prefix}_exec_static/" >> $OUT/processes.txt ||
		fail "procbench exec of a static program failed ($prefix)"
	"$@" /bin/procbench-dyn exec $exec_runs /bin/procbench-dyn | sed "s/^exec/${prefix}_exec_dynamic/" >> $OUT/processes.txt ||
		fail "procbench exec of a dynamic program failed ($prefix)"
}

# threadbench PREFIX MODE N RUNNER...: one mode, its lines to threads.txt
threadbench() {
	local prefix=$1 mode=$2 reps=$3
	shift 3
	timeout $thread_bound_s "$@" /bin/threadbench $mode $reps | sed "s/^/${prefix}_/" >> $OUT/threads.txt ||
		fail "threadbench $mode failed ($prefix)"
}

kernels_on_linux
# The same beside a vCPU that spins, as mcexec's polling vCPU does while an
# LWK program computes: how much of a gap host contention alone explains.
taskset -c 1 sh -c 'while :; do :; done' &
busy=$!
for k in triad gups dgemm stencil; do
	on_linux /bin/kernels $k | sed 's/^/busy_/' >> $OUT/kernels.txt || fail "kernel $k failed beside a busy vCPU"
done
kill $busy
threads_on native taskset -c 2,3
process_costs native on_linux
load_mod
online_before=$(online_cpus)
t0=$(now_ns)
apply_profile
value apply_to_running_ns $(( $(now_ns) - t0 ))

for k in triad gups dgemm stencil; do
	on_lwk /bin/kernels $k | sed 's/^/lwk_/' >> $OUT/kernels.txt || fail "kernel $k failed on the LWK"
done

# A 4 KiB file in the page cache (tmpfs) for pread.
head -c 4096 /dev/urandom > /tmp/page
taskset -c 1 /bin/offload calls $calls /tmp/page | sed 's/^/native_/' >> $OUT/calls.txt || fail "native calls failed"
on_lwk /bin/offload calls $calls /tmp/page | sed 's/^/lwk_/' >> $OUT/calls.txt || fail "calls on the LWK failed"
echo 1 > /sys/module/mcos/parameters/ikc_poll
on_lwk /bin/offload calls $calls /tmp/page | sed 's/^/lwkpoll_/' >> $OUT/calls.txt || fail "calls on the LWK (polling) failed"
echo 0 > /sys/module/mcos/parameters/ikc_poll

threads_on lwk taskset -c 1 mcexec -t 2
process_costs lwk on_lwk

# From a fork on Linux CPU 1 to main: natively, and through mcexec; and
# mcexec's own start-up (a Swift program, run without a program to start).
for i in 1 2 3 4 5; do
	t0=$(now_ns)
	taskset -c 1 mcexec --help > /dev/null
	echo "mcexec_help_ns $(( $(now_ns) - t0 ))" >> $OUT/startup.txt
	taskset -c 1 /bin/offload launch /bin/offload started | sed 's/^/native_/' >> $OUT/startup.txt
	taskset -c 1 /bin/offload launch mcexec -c $LWK_PROBE_CPU /bin/offload started | sed 's/^/lwk_/' >> $OUT/startup.txt
	taskset -c 1 /bin/offload launch /bin/procbench-dyn started | sed 's/^/native_dynamic_/' >> $OUT/startup.txt
	taskset -c 1 /bin/offload launch mcexec -c $LWK_PROBE_CPU /bin/procbench-dyn started | sed 's/^/lwk_dynamic_/' >> $OUT/startup.txt
done

# mcexec while its program computes without a call: sampled from 2 s after
# the start (past the program's start-up) to 1 s before its end; sleeping
# until the LWK's interrupt, then polling.
idle_proxy() {
	taskset -c 1 mcexec -c $LWK_PROBE_CPU /bin/offload compute $idle_s > /dev/null &
	pid=$!
	sleep 2
	proxy_sample $pid $1
	sleep $((idle_s - 3))
	proxy_sample $pid $1
	wait $pid || fail "the computing program failed"
}
idle_proxy idle
echo 1 > /sys/module/mcos/parameters/ikc_poll
idle_proxy idle_poll
echo 0 > /sys/module/mcos/parameters/ikc_poll
value idle_sampled_seconds $((idle_s - 3))
threads_on lwk taskset -c 1 mcexec -t 2

# The same calls with page-table isolation: the profile with pti=on added,
# which restarts the LWK on the same resources, so that both figures come
# from one run (pti=off measured above).
sed 's/^\( *args: \[\)/\1pti=on, /' $PROFILE > /tmp/bench-pti.yaml
grep -q 'args: \[pti=on, ' /tmp/bench-pti.yaml || fail "no kernel args line to add pti=on to in $PROFILE"
mcprov apply /tmp/bench-pti.yaml --auto-approve > $OUT/apply-pti.log 2>&1 ||
	fail "mcprov apply with pti=on failed: $(tail -n 3 $OUT/apply-pti.log)"
mcprov kmsg 2>&1 | grep -q 'PTI: on' || fail "the LWK does not say PTI is on after the pti=on profile"
on_lwk /bin/offload calls $calls /tmp/page | sed 's/^/lwk_pti_/' >> $OUT/calls.txt || fail "calls on the LWK with pti=on failed"

mcprov kmsg > $OUT/lwk-kmsg.txt 2>&1
t0=$(now_ns)
teardown_profile
[ "$(online_cpus)" = "$online_before" ] || fail "CPUs not back after teardown: $(online_cpus)"
value teardown_to_all_back_ns $(( $(now_ns) - t0 ))
kernels_on_linux
threads_on native taskset -c 2,3
