# SPDX-License-Identifier: GPL-2.0
# Our Swift tool on the real kernel: it sees the emulated node, refuses
# clearly while the module is missing, reserves through the module, and when
# a step fails it undoes the steps before it so the node is as it was.
. /scenarios/lib.sh
P=/profiles/qemu-knl-like.yaml

# Without the module: a plain refusal naming the remedy, exit status 1.
rc=0
mcprov module query > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "module query without the module exited $rc, expected 1"
grep -q 'kernel module not loaded (/dev/mcos-ctl does not exist)' /tmp/o || fail "no 'kernel module not loaded' message"
grep -q 'insmod mcos.ko' /tmp/o || fail "no remedy in the message"

# The emulated node as hwloc and sysfs show it.
run mcprov topology
mcprov topology --json > /tmp/t || fail "topology --json failed"
grep -q '"pus" : 4' /tmp/t || fail "topology does not show 4 CPUs"
grep -q '"cores" : 2' /tmp/t || fail "topology does not show 2 cores"
mcprov topology | grep -qE 'NUMA 1  unknown +[0-9.]+ MiB  no CPUs' || fail "NUMA 1 is not shown as a CPU-less node of unknown kind"

# The demo profile fits the live node; the plan has changes pending (exit 2).
run mcprov validate $P
rc=0
mcprov plan $P --detailed-exitcode > /tmp/p || rc=$?
cat /tmp/p
[ "$rc" = 2 ] || fail "plan --detailed-exitcode exited $rc, expected 2"
grep -q 'reserve cpus 2-3 (2 CPUs)' /tmp/p || fail "plan does not reserve CPUs 2-3"
grep -q 'reserve 256 MiB on NUMA 1' /tmp/p || fail "plan does not reserve 256 MiB on NUMA 1"

load_mod
on0=$(online_cpus)
free1=$(node_free 1)

# CPUs, then 64 MiB on node 1, then 2 GiB on node 1 fails: both undone.
rc=0
mcprov module reserve --cpus 2-3 --memory 64M@1,2G@1 > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "reserve with 2G@1 exited $rc, expected 1"
grep -q 'reserve 2 GiB on NUMA 1: NUMA 1 could give only' /tmp/o || fail "no message naming NUMA 1"
grep -q 'undone: released 64 MiB on NUMA 1, released CPUs 2-3' /tmp/o || fail "rollback not reported in reverse order"
[ "$(online_cpus)" = "$on0" ] || fail "online CPUs after rollback: $(online_cpus), expected $on0"
expect_near "node 1 free memory after rollback" "$(node_free 1)" "$free1" $((1 * MiB))
mcprov module query | tee /tmp/q
grep -q 'Reserved CPUs: none' /tmp/q || fail "the module still holds CPUs"
grep -q 'NUMA 1 (no CPUs): nothing reserved' /tmp/q || fail "the module still holds memory on NUMA 1"

# The same without the impossible step: held, visible, and refused to others.
run mcprov module reserve --cpus 2-3 --memory 64M@1
[ "$(online_cpus)" = 0-1 ] || fail "CPUs 2-3 still online after reserve"
mcprov module query | tee /tmp/q
grep -q 'Reserved CPUs: 2-3 (2; unassigned: 2-3)' /tmp/q || fail "query does not show CPUs 2-3"
grep -q 'NUMA 1 (no CPUs): 64 MiB reserved in 16 chunks' /tmp/q || fail "query does not show 64 MiB on NUMA 1"

# busybox su needs the user in /etc/passwd; as root it asks no password.
mkdir -p /etc
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' > /etc/passwd
echo 'nogroup:x:65534:' > /etc/group
as_nobody() { su -s /bin/sh nobody -c "$*"; }
as_nobody mcprov module query > /tmp/o 2>&1 || { cat /tmp/o; fail "a non-root user cannot query"; }
rc=0
as_nobody mcprov module release --all > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "release as nobody exited $rc, expected 1"
grep -q 'permission denied' /tmp/o || fail "no 'permission denied' for a non-root release"
[ "$(online_cpus)" = 0-1 ] || fail "a non-root release changed the node"

# Live validation now sees CPUs 2-3 offline and says so.
rc=0
mcprov validate $P > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "validate with CPUs 2-3 offline exited $rc, expected 1"

run mcprov module release --all
[ "$(online_cpus)" = "$on0" ] || fail "CPUs not back after release"
expect_near "node 1 free memory after release" "$(node_free 1)" "$free1" $((1 * MiB))
unload_mod
# let the vmstat counters settle before the next scenario measures free memory
sync
sleep 2
