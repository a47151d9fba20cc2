# SPDX-License-Identifier: GPL-2.0
# Boot/shutdown cycles (10; `make soak`: 200) on 2 CPUs leak nothing: same
# free memory on both nodes, every boot RUNNING and answering pings.
. /scenarios/lib.sh
load_mod
run $MT setup 2-3 16M@0 8M@1
new_instance 2-3 0 1
sync
free0=$(node_free 0)
free1=$(node_free 1)
n=$(cycles 10)
i=0
while [ $i -lt $n ]; do
	i=$((i + 1))
	$MT load $idx $LWK > /dev/null || fail "cycle $i: load"
	$MT kargs $idx hidos > /dev/null || fail "cycle $i: kargs"
	$MT boot $idx || { $MT kmsg $idx | tail -n 20; fail "cycle $i: boot"; }
	[ "$(os_state $idx)" = RUNNING ] || fail "cycle $i: $(os_state $idx)"
	$MT ping $idx | grep -q 'answered 2 ' || fail "cycle $i: ping"
	$MT shutdown $idx || fail "cycle $i: shutdown"
	$MT kmsg-clear $idx || fail "cycle $i: kmsg-clear"
done
log "$i cycles"
sleep 2
expect_near "node 0 free after $n cycles" "$(node_free 0)" $free0 $((4 * MiB))
expect_near "node 1 free after $n cycles" "$(node_free 1)" $free1 $((1 * MiB))
run $MT destroy $idx
run $MT release-cpus 2-3
run $MT release-mem all
[ "$(online_cpus)" = 0-3 ] || fail "CPUs not back: $(online_cpus)"
unload_mod
