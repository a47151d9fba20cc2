# SPDX-License-Identifier: GPL-2.0
# mcprov apply, status and teardown on the real kernel, where things go wrong:
# a failure injected before each step of apply, an interrupt, a second apply
# while one runs, kill -9 half-way, a state directory others may write and a
# lock file that is a link (refused). After each, the node must be exactly
# as before: the same online CPUs, the same free memory per node, the same
# IRQ affinities, nothing held by the module, no state record.
# (Booting the LWK itself is covered by the boot scenarios; here the failing
# step always comes first, so no image is started.)
. /scenarios/lib.sh
P=/profiles/qemu-knl-like.yaml
export MCPROV_LWK_IMAGE=/bin/mcos-test  # an x86-64 ELF executable: LOAD accepts it

irqs() { for f in /proc/irq/*/smp_affinity_list; do echo "$f $(cat "$f")"; done; }

# status without the module: said plainly, exit 1
rc=0; mcprov status > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'kernel module not loaded' /tmp/o || { cat /tmp/o; fail "status without the module: exit $rc"; }

load_mod
rc=0; mcprov status > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 3 ] || fail "status with nothing applied exited $rc, expected 3"
run mcprov teardown

on0=$(online_cpus); free0=$(node_free 0); free1=$(node_free 1); irq0=$(irqs)
same_as_before() {
	[ "$(online_cpus)" = "$on0" ] || fail "$1: online CPUs $(online_cpus), expected $on0"
	expect_near "$1: node 1 free" "$(node_free 1)" "$free1" $((1 * MiB))
	expect_near "$1: node 0 free" "$(node_free 0)" "$free0" $((16 * MiB))
	[ "$(irqs)" = "$irq0" ] || fail "$1: IRQ affinities changed"
	mcprov module query > /tmp/q
	grep -q 'Reserved CPUs: none' /tmp/q && ! grep -q 'reserved in' /tmp/q && grep -q 'OS instances: none' /tmp/q ||
		{ cat /tmp/q; fail "$1: the module still holds something"; }
	[ ! -e /run/mcprov/state.json ] || fail "$1: a state record was left"
}

# a missing image is found before anything changes
rc=0; MCPROV_LWK_IMAGE=/nonexistent mcprov apply $P --auto-approve > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'no LWK image found (looked at /nonexistent' /tmp/o || { cat /tmp/o; fail "missing image: exit $rc"; }
same_as_before "missing image"

# a failure before each step: everything done before it is undone, in reverse
for step in compact-memory reserve-memory reserve-cpus steer-irqs create assign-cpus assign-memory load kernel-args boot; do
	rc=0
	MCPROV_TEST_FAIL_AT=$step mcprov-test-hooks apply $P --auto-approve > /tmp/o 2>&1 || rc=$?
	[ "$rc" = 1 ] || { cat /tmp/o; fail "apply failing at $step exited $rc"; }
	grep -q "failure injected by MCPROV_TEST_FAIL_AT=$step" /tmp/o || { cat /tmp/o; fail "no message naming $step"; }
	grep -q 'The node is as it was before this apply' /tmp/o || { cat /tmp/o; fail "$step: no word on the node's state"; }
	log "$step: $(grep -o 'undone: .*' /tmp/o || echo 'nothing to undo')"
	same_as_before "failure at $step"
done
# the undo order, checked once in full
grep -q 'undone: destroyed os 0, restored IRQ affinities, released CPUs 2-3, released 256 MiB on NUMA 1, released 64 MiB on NUMA 0\.' /tmp/o ||
	{ cat /tmp/o; fail "boot failure: undo not in reverse order"; }

# SIGTERM half-way: undone
rm -f /tmp/o	# the wait below must see only this run's lines
MCPROV_TEST_PAUSE_AT=assign-cpus:30 MCPROV_TEST_FAIL_AT=boot mcprov-test-hooks apply $P --auto-approve > /tmp/o 2>&1 &
pid=$!
wait_until 30 "apply to reach assign-cpus" grep -q 'assign CPUs:' /tmp/o
kill -TERM $pid
rc=0; wait_exit $pid || rc=$?
[ "$rc" = 1 ] && grep -q 'interrupted (SIGINT or SIGTERM)' /tmp/o || { cat /tmp/o; fail "SIGTERM: exit $rc"; }
same_as_before "SIGTERM"

# two applies at once: the second names the holder and gives up
rm -f /tmp/first	# the wait below must see only this run's lines
MCPROV_TEST_PAUSE_AT=reserve-cpus:6 MCPROV_TEST_FAIL_AT=boot mcprov-test-hooks apply $P --auto-approve > /tmp/first 2>&1 &
pid=$!
wait_until 30 "the first apply to hold the lock" grep -q 'reserve CPUs:' /tmp/first
rc=0; mcprov apply $P --auto-approve --lock-timeout 1 > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "second apply exited $rc"
grep -q "another mcprov holds the node lock (pid $pid, mcprov apply $P" /tmp/o || fail "the lock message does not name the holder"
rc=0; wait_exit $pid || rc=$?
[ "$rc" = 1 ] || fail "the first apply exited $rc, expected 1 (a failure injected at boot)"
same_as_before "concurrent apply"

# kill -9 half-way: status sees the leftovers, teardown recovers, apply works again
rm -f /tmp/o	# the wait below must see only this run's lines
MCPROV_TEST_PAUSE_AT=create:30 mcprov-test-hooks apply $P --auto-approve > /tmp/o 2>&1 &
pid=$!
wait_until 30 "apply to reach create" grep -q 'create the OS instance:' /tmp/o
kill -KILL $pid
wait $pid 2>/dev/null
[ "$(online_cpus)" = 0-1 ] || fail "kill -9 while paused at create: CPUs were not taken yet?"
rc=0; mcprov status > /tmp/s 2>&1 || rc=$?
cat /tmp/s
[ "$rc" = 2 ] || fail "status after kill -9 exited $rc, expected 2 (drift)"
grep -q 'no state record' /tmp/s && grep -q 'CPUs 2-3' /tmp/s || fail "status does not report the leftovers"
run mcprov teardown
same_as_before "teardown after kill -9"
rc=0; MCPROV_TEST_FAIL_AT=boot mcprov-test-hooks apply $P --auto-approve > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "apply after recovery exited $rc"
same_as_before "apply after recovery"

# a state directory others may write, or a lock that is a link: refused, nothing changed
chmod 777 /run/mcprov
rc=0; mcprov apply $P --auto-approve > /tmp/o 2>&1 || rc=$?
chmod 755 /run/mcprov
[ "$rc" = 1 ] && grep -q '/run/mcprov: may be written by others (mode 777)' /tmp/o || { cat /tmp/o; fail "a world-writable state directory was used: exit $rc"; }
same_as_before "world-writable state directory"
rm -f /run/mcprov/lock /tmp/victim
ln -s /tmp/victim /run/mcprov/lock
rc=0; mcprov apply $P --auto-approve > /tmp/o 2>&1 || rc=$?
rm /run/mcprov/lock
[ "$rc" = 1 ] && grep -q '/run/mcprov/lock: is a symbolic link' /tmp/o || { cat /tmp/o; fail "a symlinked lock was used: exit $rc"; }
[ ! -e /tmp/victim ] || fail "mcprov created the symlinked lock's target"
same_as_before "symlinked lock"
unload_mod
# let the vmstat counters settle before the next scenario measures free memory
sync
sleep 2
