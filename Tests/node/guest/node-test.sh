#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The node test, inside the booted Debian guest (node-test.service, after
# multi-user.target): the node came up as a real one would, from packages only —
# mcos loaded by modprobe with its install rule, mcprov@qemu-knl-like applied (before
# slurmd), irqbalance restarted with the LWK's CPUs banned, the LWK's log in the
# journal — then a program runs on the LWK (a Slurm job in the full scope), the two
# tasks of a step run as two ranks of `mcexec -n 2` (full scope),
# `systemctl stop` gives everything back, and an LWK that panics under a program
# fails the unit (and drains the node, full scope).
# Prints PASS node/NAME or FAIL node/NAME: why, then NODE-TEST-DONE.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unit=mcprov@qemu-knl-like.service
scope=$(cat /etc/node-test-scope)

pass() { echo "PASS node/$1"; }
fail() {
	name=$1
	shift
	echo "FAIL node/$name: $*"
	# what the admin would look at
	{
		systemctl --no-pager status "mcprov@*"
		mcprov status
		if [ "$scope" = full ]; then
			systemctl --no-pager status slurmd slurmctld
			sinfo -R
			scontrol show node node1
		fi
		journalctl --no-pager -n 40 -u slurmctld -u slurmd -u "mcprov@*"
	} 2>&1 | sed 's/^/  | /'
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS (by the clock:
# under TCG a command alone can take seconds)
wait_for() {
	deadline=$(( $(date +%s) + $1 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 1
	done
}
monotonic() { systemctl show -p "$2" --value "$1"; }
cpus_online() { cat /sys/devices/system/cpu/online; }
# free KiB of a NUMA node
node_free() { awk '/MemFree/ { print $4 }' "/sys/devices/system/node/node$1/meminfo"; }
banned_cpus() {
	pid=$(pidof irqbalance) || return 1
	tr '\0' '\n' < "/proc/$pid/environ" | sed -n 's/^IRQBALANCE_BANNED_CPULIST=//p'
}
node_state() { scontrol show node node1 | sed -n 's/.* State=\([^ ]*\).*/\1/p'; }
node_idle() { [ "$(sinfo -h -n node1 -o %T)" = idle ]; }
# on_lwk OUT ARGS...: mcexec ARGS as an ordinary user, through a Slurm job that asks
# for the LWK in the full scope; its output in OUT, its exit status returned.
on_lwk() {
	out=$1
	shift
	if [ "$scope" = full ]; then
		set -- srun --constraint=mckernel --ntasks=1 mcexec "$@"
	else
		set -- mcexec "$@"
	fi
	timeout 120 runuser -u hpcuser -- "$@" > "$out" 2>&1
}

echo "node-test: $(uname -r), $(systemctl is-system-running)"

# The module came from DKMS, for the running (upgraded) kernel, loaded by the unit
# through the modprobe install rule, which found real_mode_header itself.
module=$(modinfo -n mcos 2>/dev/null)
address=$(cat /sys/module/mcos/parameters/real_mode_header 2>/dev/null)
case $module in
"/lib/modules/$(uname -r)/updates/dkms/mcos.ko"*) ;;	# .ko.xz on 6.12
*) module="not DKMS's: $module" ;;
esac
if [ "${module#not}" = "$module" ] && [ -n "$address" ] && [ "$address" != 0 ]; then
	pass "modprobe-install-rule"
else
	fail "modprobe-install-rule" "module '$module', real_mode_header '$address'"
fi

# Applied at boot, after the module, before slurmd.
applied=$(monotonic "$unit" ActiveEnterTimestampMonotonic)
slurmd_started=$(( applied + 1 ))
[ "$scope" = full ] && slurmd_started=$(monotonic slurmd.service ExecMainStartTimestampMonotonic)
status=0
mcprov status > /tmp/status || status=$?
if systemctl is-active --quiet "$unit" && [ "$status" = 0 ] && [ "$(cpus_online)" = 0-1 ] &&
	[ "$applied" -gt 0 ] && [ "$slurmd_started" -gt "$applied" ]; then
	pass "apply-at-boot"
else
	fail "apply-at-boot" "unit $(systemctl is-active "$unit"), mcprov status exited $status, CPUs online $(cpus_online), active at $applied, slurmd at $slurmd_started"
fi

# The LWK's log in the journal, with the unit's profile as a field.
if wait_for 20 sh -c "journalctl -o cat MCPROV_PROFILE=qemu-knl-like | grep -q 'os 0: .*IHK/McKernel booted'"; then
	pass "journal"
else
	fail "journal" "no LWK boot line with MCPROV_PROFILE=qemu-knl-like"
fi

if [ "$(banned_cpus)" = 2-3 ]; then
	pass "irqbalance-ban"
else
	fail "irqbalance-ban" "irqbalance runs with IRQBALANCE_BANNED_CPULIST='$(banned_cpus)'"
fi

# A program runs on the LWK as an ordinary user (full: a job that asks for the LWK).
if [ "$scope" = full ]; then
	if wait_for 120 node_idle && scontrol show node node1 | grep -q 'AvailableFeatures=mckernel'; then
		pass "slurm-node-up"
	else
		fail "slurm-node-up" "node1 is $(sinfo -h -n node1 -o %T) after 120 s, or lacks the mckernel feature"
	fi
fi
on_lwk /tmp/srun.out --verbose /usr/local/bin/lwkprog write
rc=$?
# mcexec names the LWK CPU; the LWK's own log, forwarded to the journal, says the
# program started there.
cpu=$(sed -n 's/.* on OS 0, LWK CPU \([0-9]*\)$/\1/p' /tmp/srun.out)
started_on_lwk() {
	journalctl -o cat MCPROV_PROFILE=qemu-knl-like | grep -qE "^os 0: \[ *$cpu\]: process [0-9]+ starts at"
}
if [ "$rc" = 0 ] && grep -q 'hello from write' /tmp/srun.out && [ -n "$cpu" ] && wait_for 20 started_on_lwk; then
	pass "program-on-lwk"
else
	fail "program-on-lwk" "exited $rc, LWK CPU '$cpu': $(cat /tmp/srun.out)
$(mcprov kmsg | tail -n 5)"
fi

# srun --mckernel (mcprov-slurm's SPANK plugin): the job names the program alone and
# each task runs on the LWK through mcexec, with its arguments, argv[0] and exit
# status as natively; without the option the same program runs on Linux.
if [ "$scope" = full ]; then
	as_job() { timeout 120 runuser -u hpcuser -- srun --constraint=mckernel --ntasks=1 "$@"; }
	lwk_started() { journalctl -o cat MCPROV_PROFILE=qemu-knl-like | grep -qE "^os 0: \[ *[0-9]+\]: process $1 starts at"; }
	as_job --mckernel /usr/local/bin/lwkprog getpid > /tmp/spank.out 2>&1
	rc=$?
	pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' /tmp/spank.out)
	as_job --mckernel /usr/local/bin/lwkprog args 'two words' last > /tmp/spank-args.out 2>&1
	args_rc=$?
	as_job --mckernel /usr/local/bin/lwkprog exit42 > /dev/null 2>&1
	exit42=$?
	as_job /usr/local/bin/lwkprog getpid > /tmp/native.out 2>&1
	native=$(sed -n 's/^pid \([0-9]*\)$/\1/p' /tmp/native.out)
	expected_args='argv[0]=/usr/local/bin/lwkprog
argv[1]=args
argv[2]=two words
argv[3]=last'
	if [ "$rc" = 0 ] && [ -n "$pid" ] && wait_for 20 lwk_started "$pid" && [ "$args_rc" = 0 ] &&
		[ "$(grep '^argv' /tmp/spank-args.out)" = "$expected_args" ] && [ "$exit42" = 42 ] &&
		[ -n "$native" ] && ! lwk_started "$native"; then
		pass "srun-mckernel"
	else
		fail "srun-mckernel" "getpid exited $rc (pid '$pid'; on the LWK: $(lwk_started "$pid" && echo yes || echo no)), args exited $args_rc, exit42 gave $exit42, native pid '$native'
$(cat /tmp/spank.out /tmp/spank-args.out)"
	fi
fi

# mcexec -n under Slurm: the two tasks of one step, children of one slurmstepd, take a
# rank each by SLURM_LOCALID and run on an LWK CPU each, their threads with them.
if [ "$scope" = full ]; then
	timeout 120 runuser -u hpcuser -- srun --constraint=mckernel --ntasks=2 mcexec -n 2 --rank-timeout 60 \
		/usr/local/bin/ranks 1 > /tmp/ranks.out 2>&1
	rc=$?
	mains=$(sed -n 's/^main //p' /tmp/ranks.out | sort | tr '\n' ' ')
	threads=$(sed -n 's/^thread //p' /tmp/ranks.out | sort | tr '\n' ' ')
	if [ "$rc" = 0 ] && [ "$mains" = "0 1 " ] && [ "$threads" = "0 1 " ]; then
		pass "srun-ranks"
	else
		fail "srun-ranks" "exited $rc, main threads on LWK CPUs '$mains', second threads on '$threads': $(cat /tmp/ranks.out)"
	fi
fi

# systemctl stop gives every CPU and all memory back, and lifts irqbalance's ban.
free1=$(node_free 1)
systemctl stop "$unit"
status=0
mcprov status > /dev/null 2>&1 || status=$?
gained=$(( $(node_free 1) - free1 ))
if [ "$(cpus_online)" = 0-3 ] && [ "$status" = 3 ] && [ "$gained" -ge $((250 * 1024)) ] && [ -z "$(banned_cpus)" ] &&
	[ -z "$(ls /dev/mcos[0-9]* 2>/dev/null)" ]; then
	pass "stop-gives-back"
else
	fail "stop-gives-back" "CPUs $(cpus_online), status $status, node 1 gained $gained KiB, ban '$(banned_cpus)'"
fi

# An LWK that panics under a program: mcexec says so, the unit fails with status's
# exit code, and (full) the epilog drains the node with the reason.
if systemctl start mcprov@node-fault.service; then
	on_lwk /tmp/fault.out /usr/local/bin/lwkprog write
	rc=$?
	if [ "$rc" != 0 ] && grep -q 'panicked' /tmp/fault.out; then
		pass "program-lwk-panic"
	else
		fail "program-lwk-panic" "exited $rc: $(cat /tmp/fault.out)"
	fi
	if [ "$scope" = full ]; then
		if wait_for 60 sh -c 'scontrol show node node1 | grep -q "Reason=mckernel: os 0 \"lwk\" panic"' &&
			node_state | grep -q DRAIN; then
			pass "panic-drains-node"
		else
			fail "panic-drains-node" "node1 $(node_state): $(scontrol show node node1 | grep Reason)"
		fi
	fi
	# mcprov@ checks every 10 s (MCPROV_WATCH_INTERVAL)
	if wait_for 60 systemctl is-failed --quiet mcprov@node-fault.service &&
		journalctl -u mcprov@node-fault.service | grep -q 'mcprov status exited 2'; then
		pass "unit-health"
	else
		fail "unit-health" "mcprov@node-fault is $(systemctl is-active mcprov@node-fault.service)"
	fi
else
	fail "program-lwk-panic" "mcprov@node-fault did not start"
fi
mcprov teardown --force > /dev/null 2>&1
if [ "$(cpus_online)" = 0-3 ] && ! mcprov status > /dev/null 2>&1; then
	pass "teardown-after-panic"
else
	fail "teardown-after-panic" "CPUs online $(cpus_online)"
fi

if dmesg | grep -E 'BUG|Oops|WARNING|Call Trace' > /tmp/bad; then
	fail "dmesg-clean" "$(cat /tmp/bad)"
else
	pass "dmesg-clean"
fi
echo NODE-TEST-DONE
