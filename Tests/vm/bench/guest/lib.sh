# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest side of `make bench`, sourced after the scenarios'
# lib.sh.  Every result goes to a file under $OUT, which guest.sh hands to
# the host at the end; nothing here judges a number.
OUT=/tmp/bench
PROFILE=/profiles/qemu-knl-like.yaml
# The profile gives the LWK Linux CPUs 2-3: LWK CPU 1 is Linux CPU 3, the
# CPU every probe runs on, so that each kind of CPU is the same vCPU.
PROBE_CPU=3
LWK_PROBE_CPU=1

# value KEY VALUE: one scalar result
value() {
	echo "$1 $2" >> $OUT/values.txt
}

now_ns() {
	/bin/offload now
}

# busy_jiffies: the time all CPUs spent neither idle nor waiting, in jiffies
busy_jiffies() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# settle: waits (two minutes at most) for a second in which the guest's CPUs
# together were busy under 5 jiffies. Right after boot the kernel still works
# for seconds with this large initramfs (seen: 3.8 s of system time on CPU 0
# and 1.1 s of softirqs during the first Linux probe, which lost 32-37 % in
# the first half of its quanta and 1 % in the second), and under -icount every
# vCPU's work lengthens every other's quanta. How long it took is a value.
settle() {
	start=$(now_ns)
	tries=0
	while [ $tries -lt 120 ]; do
		before=$(busy_jiffies)
		sleep 1
		[ $(($(busy_jiffies) - before)) -lt 5 ] && break
		tries=$((tries + 1))
	done
	value settle_ms $((($(now_ns) - start) / 1000000))
}

# snapshot NAME: what interrupted each Linux CPU so far, and its time split
snapshot() {
	cat /proc/interrupts > $OUT/$1.interrupts
	grep '^cpu[0-9]' /proc/stat > $OUT/$1.stat
}

# proxy_sample PID NAME: mcexec's CPU time (ns, schedstat) and its context
# switches so far, and when (CLOCK_MONOTONIC ns), appended to NAME.proxy as
# "ns voluntary involuntary when"
proxy_sample() {
	[ -r /proc/$1/schedstat ] || return 0
	echo "$(cut -d' ' -f1 /proc/$1/schedstat)" \
		"$(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/$1/status)" \
		"$(awk '/^nonvoluntary_ctxt_switches/ { print $2 }' /proc/$1/status)" \
		"$(now_ns)" >> $OUT/$2.proxy
}

apply_profile() {
	mcprov apply $PROFILE --auto-approve > $OUT/apply.log 2>&1 || fail "mcprov apply failed: $(tail -n 3 $OUT/apply.log)"
}

teardown_profile() {
	mcprov teardown > $OUT/teardown.log 2>&1 || fail "mcprov teardown failed: $(tail -n 3 $OUT/teardown.log)"
}

# on_lwk PROGRAM ARGS...: run PROGRAM on the probe CPU of the LWK, its proxy
# on Linux CPU 1 (so that the proxy's own CPU is known); in the background,
# call taskset directly, so that $! is mcexec's pid
on_lwk() {
	taskset -c 1 mcexec -c $LWK_PROBE_CPU "$@"
}

# on_linux PROGRAM ARGS...: run PROGRAM on the probe CPU of Linux
on_linux() {
	taskset -c $PROBE_CPU "$@"
}

# probe_settings: quanta, detour_s and units (the work of one FWQ quantum) for
# the noise probes, from mcos.fwq_quanta, mcos.detour_s and mcos.fwq_units, else
# by default or a calibration, once the guest has settled: a fresh guest is busy
# for its first minute (deferred initcalls, module loading, the random pool, the
# clocksource watchdog's first checks); idle time costs nothing under -icount
# (sleep=off skips it).
probe_settings() {
	quanta=$(param fwq_quanta 6000)
	detour_s=$(param detour_s 5)
	while [ "$(cut -d. -f1 /proc/uptime)" -lt 60 ]; do sleep 1; done
	units=$(param fwq_units "")
	[ -n "$units" ] || units=$(on_linux /bin/noise calibrate 1000)
	value fwq_units $units
}

# probe NAME RUNNER ARGS...: FWQ then detour on Linux, with what interrupted
# each Linux CPU around each run
probe() {
	name=$1
	shift
	snapshot fwq-$name.before
	"$@" /bin/noise fwq $quanta $units > $OUT/fwq-$name.txt || fail "fwq on $name failed"
	snapshot fwq-$name.after
	snapshot detour-$name.before
	"$@" /bin/noise detour $detour_s > $OUT/detour-$name.txt || fail "detour on $name failed"
	snapshot detour-$name.after
}

# wait_ready FILE PID: until the probe writing FILE says it is ready (it
# then waits for its go, or spins without a system call) or PID is gone
wait_ready() {
	wait_line '^# ready' "$1" "$2"
}

# wait_line PATTERN FILE PID: until FILE has a line PATTERN matches, or PID is gone
wait_line() {
	until grep -q "$1" "$2" 2>/dev/null; do
		exited $3 && return 1
		sleep 0.05
	done
}
