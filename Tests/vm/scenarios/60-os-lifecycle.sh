# SPDX-License-Identifier: GPL-2.0
# An OS instance from creation to destruction: assign CPUs and memory,
# load an ELF image, set kernel args, boot (ENOEXEC: not an LWK image),
# kmsg, shutdown; resources go back to the pool on destroy.
. /scenarios/lib.sh
load_mod
run $MT setup 2-3 64M@1 8M@0
idx=$($MT create) || fail "create failed"
[ -c /dev/mcos$idx ] || fail "/dev/mcos$idx missing"
run $MT status $idx
run $MT -e EINVAL assign-cpus $idx 1
run $MT assign-cpus $idx 2-3
run $MT -e EBUSY assign-cpus $idx 3
run $MT assign-mem $idx 1 all
run $MT assign-mem $idx 0 4M
$MT status $idx | tee /tmp/s
grep -q "state INACTIVE cpus 2 mem $((68 * MiB)) image 0" /tmp/s || fail "status after assign: $(cat /tmp/s)"
[ "$($MT query | grep -c "cpu .* os $idx\$")" = 2 ] || fail "query does not show 2 CPUs of instance $idx"

run $MT -e EBUSY release-cpus 2-3
run $MT -e EBUSY release-mem all
run $MT -e ENOEXEC boot $idx
run $MT -e ENOEXEC load $idx /init
run $MT load $idx /bin/mcos-test
$MT status $idx | tee /tmp/s
grep -q "state LOADED" /tmp/s || fail "not LOADED after load"
run $MT -e EBUSY load $idx /bin/mcos-test
run $MT -e EBUSY unassign-mem $idx all
run $MT kargs $idx "hidos dump_level=24"
run $MT -e ENOEXEC boot $idx
$MT kmsg $idx | tee /tmp/k
grep -q 'image loaded' /tmp/k || fail "kmsg lacks the load line"
grep -q 'kernel args: hidos dump_level=24' /tmp/k || fail "kmsg lacks the kernel args"
cat /dev/mcos$idx | grep -q 'boot refused: not an LWK image' || fail "read() of /dev/mcos$idx lacks the boot line"
run $MT kmsg-clear $idx
[ -z "$($MT kmsg $idx)" ] || fail "kmsg not empty after clear"
run $MT shutdown $idx
$MT status $idx | grep -q "state INACTIVE" || fail "not INACTIVE after shutdown"
run $MT unassign-cpus $idx 3
run $MT unassign-mem $idx 0
run $MT release-cpus 3

run $MT destroy $idx
[ -e /dev/mcos$idx ] && fail "/dev/mcos$idx still there after destroy"
run $MT -e ENOENT destroy $idx
run $MT release-cpus 2
run $MT release-mem all
[ "$(online_cpus)" = 0-3 ] || fail "CPUs not back: $(online_cpus)"

# instance table limits
for i in 0 1 2 3 4 5 6 7; do
	[ "$($MT create)" = $i ] || fail "create #$i did not return $i"
done
run $MT -e ENOSPC create
for i in 7 6 5 4 3 2 1 0; do
	run $MT destroy $i
done
unload_mod
