# SPDX-License-Identifier: GPL-2.0
# Helpers sourced by the guest scenarios.  A scenario fails by calling
# fail "reason" (or exiting non-zero); /init prints the reason.
set -u
MT=/bin/mcos-test
MiB=1048576
# what the kernel prints when something is wrong (BUG/WARNING as words)
KERNEL_BAD='(^|[^A-Za-z])(BUG|WARNING)([^A-Za-z]|$)|Oops|general protection|Call Trace|UBSAN|KASAN|list_(add|del) corruption'

fail() {
	echo "reason: $*"
	exit 1
}

log() {
	echo "# $*"
}

# progress MESSAGE: a line on the guest's console now (a scenario's own output
# shows only when it ends), for scenarios that run long
progress() {
	echo "MCOS-PROGRESS $*" > /dev/console
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s until it
# succeeds; fails naming WHAT after SECONDS of the guest's clock (not loop
# turns: on a loaded host each turn takes longer than its 0.1 s sleep).  For
# "until the background job got there", which a fixed sleep only guesses on
# a slow machine.
wait_until() {
	local deadline=$(($(uptime_seconds) + $1)) seconds=$1 what=$2
	shift 2
	until "$@" 2>/dev/null; do
		[ "$(uptime_seconds)" -le $deadline ] || fail "waited $seconds s for $what"
		sleep 0.1
	done
}

# scenario_dmesg: the kernel's messages since this scenario began (lib.sh is
# sourced first), so that one scenario's complaint is not another's failure
scenario_began=$(cut -d' ' -f1 /proc/uptime)
scenario_dmesg() {
	dmesg | awk -v since="$scenario_began" '{
		t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
		if (t + 0 >= since) print
	}'
}

# uptime_seconds: whole seconds since the guest booted
uptime_seconds() {
	local up
	read -r up _ < /proc/uptime
	echo "${up%%.*}"
}

# exited PID: PID is gone or a zombie (kill -0 still reaches a zombie)
exited() {
	[ ! -e /proc/$1/status ] || grep -q '^State:[[:space:]]*Z' /proc/$1/status
}

# wait_exit PID [SECONDS]: reaps background job PID and returns its status; a
# job that does not end within SECONDS (default 30) fails the scenario, named,
# instead of hanging it until the guest's time limit
wait_exit() {
	wait_until ${2:-30} "pid $1 to end" exited $1
	wait $1
}

# holds PID FILE: PID's standard input is FILE
holds() {
	[ "$(readlink /proc/$1/fd/0)" = "$2" ]
}

# run a command that must succeed, showing it
run() {
	echo "+ $*"
	"$@" || fail "'$*' exited $?"
}

# The module boots LWKs through Linux's real-mode trampoline, whose address
# (not exported) it takes from /proc/kallsyms via a module parameter.
# Reading kallsyms takes seconds under TCG, so each boot reads it once.
# load_mod [PARAM=VALUE...]: other module parameters after it.
load_mod() {
	[ -s /tmp/real_mode_header ] ||
		awk '$3 == "real_mode_header" { print $1; exit }' /proc/kallsyms > /tmp/real_mode_header
	rmh=$(cat /tmp/real_mode_header)
	insmod /mcos.ko ${rmh:+real_mode_header=0x$rmh} "$@" || fail "insmod $* failed"
	[ -c /dev/mcos-ctl ] || fail "/dev/mcos-ctl missing after insmod"
}

unload_mod() {
	rmmod mcos || fail "rmmod failed"
	[ -e /dev/mcos-ctl ] && fail "/dev/mcos-ctl still there after rmmod"
	return 0
}

online_cpus() {
	cat /sys/devices/system/cpu/online
}

# Free memory of a node in bytes: MemFree as Linux reports it, plus the
# pages sitting on the per-CPU free lists of the node's zones (count: in
# /proc/zoneinfo).  Freed pages of order <= 3 go to those lists first and
# are not in MemFree until drained (for a remote node, by vmstat after a
# few seconds), so MemFree alone wanders by several MiB between samples.
node_free() {
	memfree=$(awk '/MemFree/ { print $4 }' "/sys/devices/system/node/node$1/meminfo")
	pcp=$(awk -v n="$1" '
		$1 == "Node" { in_node = ($2 == n ",") }
		in_node && $1 == "count:" { sum += $2 }
		END { print sum + 0 }' /proc/zoneinfo)
	echo $(( memfree * 1024 + pcp * 4096 ))
}

abs() {
	if [ "$1" -lt 0 ]; then echo $(( -$1 )); else echo "$1"; fi
}

# expect_near WHAT ACTUAL WANTED TOLERANCE (bytes)
expect_near() {
	d=$(abs $(( $2 - $3 )))
	log "$1: $2 vs $3 (off by $d, tolerance $4)"
	[ "$d" -le "$4" ] || fail "$1: $2, expected $3 +- $4 (off by $d)"
}

# the CPU a task pinned with taskset runs on (field 39 of /proc/self/stat)
pinned_cpu() {
	taskset -c "$1" awk '{ print $39 }' /proc/self/stat
}

# CPUs 2-3 are back with Linux: online, and tasks pinned to them run there
expect_cpus_back() {
	[ "$(online_cpus)" = 0-3 ] || fail "online after release: $(online_cpus), expected 0-3"
	for c in 2 3; do
		got=$(pinned_cpu $c)
		log "task pinned to CPU $c ran on CPU $got"
		[ "$got" = "$c" ] || fail "task pinned to CPU $c ran on CPU $got"
	done
}

# field from "mcos-test node N": node_field N free|floor|reserved|managed
node_field() {
	$MT node "$1" | tr ' ' '\n' | awk -v k="$2" 'p { print; exit } $0 == k { p = 1 }'
}

LWK=/mcos-lwk.elf

# new_instance CPUS NODE...: create an instance holding CPUS and all the
# reserved memory of each NODE; sets idx to its number
new_instance() {
	idx=$($MT create) || fail "create failed"
	run $MT assign-cpus $idx "$1"
	shift
	for node in "$@"; do
		run $MT assign-mem $idx $node all
	done
}

# lwk_boot IDX KARGS [IMAGE]: load the LWK image (the one that ships, unless
# IMAGE), set kernel args, boot
lwk_boot() {
	run $MT load "$1" "${3:-$LWK}"
	run $MT kargs "$1" "$2"
	run $MT boot "$1"
}

# state of instance IDX
os_state() {
	$MT status "$1" | awk '{ print $4 }'
}

# how many LWK CPUs instance IDX has
lwk_cpus() {
	$MT status "$1" | awk '{ print $6 }'
}

# param NAME DEFAULT: VALUE of the last mcos.NAME=VALUE on the guest's kernel
# command line (make soak, make fuzz, make bench, VM_APPEND), else DEFAULT
param() {
	v=$(tr ' ' '\n' < /proc/cmdline | sed -n "s/^mcos\.$1=//p" | tail -n 1)
	echo "${v:-$2}"
}

# this_guests_share WORD...: the WORDs this guest takes, for the long scenarios
# whose cases make test divides between its two guests (97-stress-ng's
# stressors, 98-cpython's modules): the guest of kernel 6.1 the first, third,
# ... of them, any other the second, fourth, ...; every one with
# mcos.share=all on the kernel command line (make suites)
this_guests_share() {
	local take=1 n=0
	if [ "$(param share split)" = all ]; then
		echo "$@"
		return
	fi
	case $(uname -r) in 6.1.*) take=0 ;; esac
	for word in "$@"; do
		if [ $((n % 2)) = $take ]; then echo "$word"; fi
		n=$((n + 1))
	done | tr '\n' ' '
}

# cycles N: how many times a leak-hunting loop goes round: N, enough to catch a leak of
# one granule per cycle, unless the guest was booted with mcos.cycles=M (make soak)
cycles() {
	param cycles "$1"
}

# lwk_instance [SIZE@NODE...]: CPUs 2-3 and the memory given (64 MiB of node
# 0 unless given) reserved, an instance of them all with the LWK booted; sets idx
lwk_instance() {
	[ $# -gt 0 ] || set -- 64M@0
	lwk_instance_with hidos "$@"
}

# lwk_instance_with KARGS SIZE@NODE...: the same, the LWK booted with KARGS
lwk_instance_with() {
	local kargs=$1
	shift
	run $MT setup 2-3 "$@"
	new_instance 2-3 $(for chunk in "$@"; do echo "${chunk#*@}"; done)
	lwk_boot $idx "$kargs"
}

# expect_lwk_idle IDX WHEN: the LWK still RUNNING, both its CPUs idle (they
# answer a ping), no bug or panic in its log
expect_lwk_idle() {
	[ "$(os_state $1)" = RUNNING ] || fail "the LWK is $(os_state $1) $2"
	$MT ping $1 > /tmp/ping
	grep -q '^ping sent 2 answered 2 ' /tmp/ping ||
		fail "the LWK CPUs are not both idle $2: $(cat /tmp/ping)"
	lwk_log_clean $1 "$2"
}

# lwk_log_clean IDX WHEN: no bug (a leak is one) and no panic in the LWK's log
lwk_log_clean() {
	if $MT kmsg $1 | grep -E 'BUG|PANIC'; then
		fail "the LWK's log reports a bug or a panic $2"
	fi
}

# lwk_teardown IDX: shut the LWK down, give everything back, unload
lwk_teardown() {
	run $MT shutdown $1
	run $MT destroy $1
	run $MT release-cpus all
	run $MT release-mem all
	unload_mod
}

# shm_mount, shm_unmount: /dev is a bare devtmpfs in this guest, and shm_open
# (POSIX semaphores and shared memory, python's multiprocessing) needs a tmpfs at
# /dev/shm, which a distribution mounts at boot.  A scenario that needs it mounts
# it and unmounts it at its end, so that no other depends on it.
shm_mount() {
	mounted_shm=
	grep -q '^[^ ]* /dev/shm ' /proc/mounts && return
	mkdir -p /dev/shm
	run mount -t tmpfs -o mode=1777,size=64m shm /dev/shm
	mounted_shm=1
}

shm_unmount() {
	[ -z "$mounted_shm" ] || run umount /dev/shm
}
