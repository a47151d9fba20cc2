# SPDX-License-Identifier: GPL-2.0
# CPUs taken, then a memory reservation fails: the tool rolls back (each
# ioctl is all or nothing; undoing across ioctls is the tool's job) and
# CPUs and memory are as before.
. /scenarios/lib.sh
load_mod
on0=$(online_cpus)
free1=$(node_free 1)

$MT -e ENOMEM setup 2-3 64M@1 2G@1 | tee /tmp/o
grep -q 'ENOMEM as expected' /tmp/o || fail "setup with 2G@1 did not fail with ENOMEM"
grep -q 'rolled back' /tmp/o || fail "setup did not roll back"
[ "$(online_cpus)" = "$on0" ] || fail "online CPUs after rollback: $(online_cpus), expected $on0"
expect_near "node 1 MemFree after rollback" "$(node_free 1)" $free1 $((1 * MiB))
$MT info | tee /tmp/i
grep -q 'reserved_cpus 0 reserved_bytes 0' /tmp/i || fail "module still holds resources"

# the same, succeeding
run $MT setup 2-3 64M@1
[ "$(online_cpus)" = 0-1 ] || fail "setup did not take CPUs 2-3"
run $MT release-cpus 2-3
run $MT release-mem all
[ "$(online_cpus)" = "$on0" ] || fail "CPUs not back"
unload_mod
