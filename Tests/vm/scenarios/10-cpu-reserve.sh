# SPDX-License-Identifier: GPL-2.0
# Reserve CPUs 2-3: Linux loses them, gets them back on release, and a task
# pinned to them runs there again.
. /scenarios/lib.sh
load_mod
[ "$(online_cpus)" = 0-3 ] || fail "expected CPUs 0-3 online at start, got $(online_cpus)"

run $MT reserve-cpus 2-3
[ "$(online_cpus)" = 0-1 ] || fail "online after reserve: $(online_cpus), expected 0-1"
[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 0 ] || fail "cpu2 still online"
$MT query | tee /tmp/q
grep -q 'cpus: 2 reserved' /tmp/q || fail "query does not show 2 reserved CPUs"
grep -q 'cpu 3 apic' /tmp/q || fail "query does not list CPU 3"
taskset -c 2 true 2>/dev/null && fail "a task could still be pinned to reserved CPU 2"

# errors: again (EBUSY), CPU 0 (EINVAL), a CPU that does not exist (EINVAL)
run $MT -e EBUSY reserve-cpus 3
run $MT -e EINVAL reserve-cpus 0
run $MT -e EINVAL reserve-cpus 1-1,1
run $MT -e EINVAL reserve-cpus 4
run $MT -e EINVAL release-cpus 1

run $MT release-cpus 2-3
expect_cpus_back

# partial failure: 1 and 3 fine, 3 reserved first -> EBUSY and nothing taken
run $MT reserve-cpus 3
run $MT -e EBUSY reserve-cpus 1-3
[ "$(online_cpus)" = "0-2" ] || fail "failed reserve changed online CPUs: $(online_cpus)"
run $MT release-cpus all
[ "$(online_cpus)" = 0-3 ] || fail "online after release all: $(online_cpus)"
unload_mod
