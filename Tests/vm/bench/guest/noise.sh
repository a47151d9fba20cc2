# SPDX-License-Identifier: GPL-2.0
# Bench part "noise" (QEMU with -icount: guest time counts instructions, so
# the host's scheduling cannot stretch a quantum; see run.sh): the FWQ and
# selfish-detour probes on Linux CPU 3, on the same vCPU as LWK CPU 1 with
# its proxy waiting as mcexec waits, and again with the proxy stopped; plus
# Linux CPU 3 while another vCPU computes, which shows how the shared
# instruction clock counts every vCPU's work as noise on every other.
settle
warm=1
probe_settings
value fwq_quanta $quanta
value detour_seconds $detour_s

# probe_lwk NAME stop|wait LENGTH PROBE ARGS...: one probe on the LWK CPU
# that measures for about LENGTH seconds. The probe says "# ready" and waits
# for a go file (NOISE_GO); mcexec's CPU time and wake-ups, and what Linux's
# CPUs did, are sampled before the go and again in the tail the probe spins
# after measuring, so that the sampling (processes started on Linux, which
# the shared instruction clock counts on every vCPU) stays out of the
# measurement: waiting for "# ready" alone, the sampling was seen to land
# seconds into it, the shell's vCPU getting its turns late while the LWK's
# spins. "stop" stops mcexec (SIGSTOP) once the probe says "# go" (in the
# WAIT seconds before it measures) and lets it go on in the tail: nothing of
# the proxy runs on Linux while the probe measures. Each probe's "# go" and
# the stop's time (stop_ns_NAME) are kept, to check that order.
probe_lwk() {
	name=$1 how=$2 length=$3
	shift 3
	tail_s=$((length + 4))
	sample_at=$((warm + length + length / 4 + 1))
	go=/tmp/noise-go-$name
	rm -f $go
	NOISE_GO=$go taskset -c 1 mcexec -c $LWK_PROBE_CPU "$@" $warm $tail_s > $OUT/$name.txt &
	pid=$!
	# the LWK's process has its proxy's pid: its end line in the LWK's log counts
	# what entered the CPU's kernel while it ran
	value lwk_pid_$name $pid
	wait_ready $OUT/$name.txt $pid || fail "$name: the program ended before it was ready"
	proxy_sample $pid $name
	snapshot $name.before
	touch $go
	if [ "$how" = stop ]; then
		wait_line '^# go' $OUT/$name.txt $pid || fail "$name: the program ended before it went"
		kill -STOP $pid
		value stop_ns_$name $(now_ns)
	fi
	sleep $sample_at
	proxy_sample $pid $name
	snapshot $name.after
	value proxy_seconds_$name $sample_at
	[ "$how" = stop ] && kill -CONT $pid
	wait $pid || fail "$name: the program failed"
}

probe linux on_linux
taskset -c 1 sh -c 'while :; do :; done' &
busy=$!
snapshot fwq-linux-neighbour-busy.before
on_linux /bin/noise fwq $quanta $units > $OUT/fwq-linux-neighbour-busy.txt || fail "fwq beside a busy CPU failed"
snapshot fwq-linux-neighbour-busy.after
kill $busy

load_mod
apply_profile
for how in wait stop; do
	suffix=; [ $how = stop ] && suffix=-proxy-stopped
	probe_lwk fwq-lwk$suffix $how $((quanta / 1000)) /bin/noise fwq $quanta $units
	probe_lwk detour-lwk$suffix $how $detour_s /bin/noise detour $detour_s
done
mcprov kmsg > $OUT/lwk-kmsg.txt 2>&1
teardown_profile
