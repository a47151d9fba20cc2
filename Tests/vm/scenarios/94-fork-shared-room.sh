# SPDX-License-Identifier: GPL-2.0
# The LWK counts who maps each MAP_SHARED | MAP_ANONYMOUS frame that a fork
# shares, in a table whose room is made at boot for 65536 frames at most (256
# MiB): a fork that needs more fails with ENOMEM and says why in the LWK's log,
# where a table that grew on the kernel heap asked for a block larger than the
# frame allocator gives, a Swift trap: a panic any user could reach.  The LWK
# runs on, and forks again afterwards.
. /scenarios/lib.sh
F=/bin/forktest
MIB=300

load_mod
run $MT setup 1-2 192M@0 192M@1
new_instance 1-2 0 1
lwk_boot $idx hidos

log "a fork with $MIB MiB of shared anonymous memory"
mcexec $idx $F big-shared $MIB > /tmp/lwk.out 2>&1
rc=$?
cat /tmp/lwk.out
[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) after the fork: $($MT kmsg $idx | tail -n 20)"
[ "$rc" = 0 ] && grep -qx "fork with $MIB MiB shared: ENOMEM" /tmp/lwk.out ||
	fail "the fork did not fail with ENOMEM (status $rc)"
$MT kmsg $idx | grep -q "counts the mappers of at most 65536 shared frames, and this fork needs more" ||
	fail "the LWK's log does not say why the fork failed"

log "a fork with less shared memory afterwards"
mcexec $idx $F big-shared 64 > /tmp/lwk.out 2>&1 || fail "the second fork failed: $(cat /tmp/lwk.out)"
grep -qx "fork with 64 MiB shared: the child exited 0" /tmp/lwk.out || fail "the second fork: $(cat /tmp/lwk.out)"

lwk_log_clean $idx "after the forks"
lwk_teardown $idx
