# SPDX-License-Identifier: GPL-2.0
# The LWK boots through the module on 1 CPU, then on 2 CPUs, with memory on
# both NUMA nodes: STATUS shows BOOTING then RUNNING, kmsg shows McKernel's boot lines with
# the right CPU count and memory per node; shutdown stops its CPUs.
. /scenarios/lib.sh
load_mod
dmesg | grep -q 'mcos: LWK boot through' || fail "module cannot boot LWKs: $(dmesg | grep 'LWK boot unavailable')"
run $MT setup 2-3 64M@1 64M@0

for ncpu in 1 2; do
	idx=$($MT create) || fail "create failed"
	if [ $ncpu = 1 ]; then run $MT assign-cpus $idx 3; else run $MT assign-cpus $idx 2-3; fi
	run $MT assign-mem $idx 0 32M
	run $MT assign-mem $idx 1 16M
	run $MT load $idx $LWK
	run $MT kargs $idx "hidos dump_level=24 frobnicate"
	# STATUS answers while BOOT waits for the LWK: BOOTING, then RUNNING
	$MT boot $idx > /tmp/boot.out 2>&1 &
	boot_pid=$!
	seen=
	for i in $(seq 300); do
		st=$(os_state $idx)
		case $st in
		BOOTING) seen=BOOTING ;;
		RUNNING|PANIC) break ;;
		esac
	done
	wait $boot_pid || fail "boot failed: $(cat /tmp/boot.out)"
	log "status during boot: ${seen:-not seen}, then $(os_state $idx)"
	[ "$seen" = BOOTING ] || fail "STATUS never showed BOOTING"
	$MT status $idx | tee /tmp/s
	grep -q "state RUNNING cpus $ncpu" /tmp/s || { $MT kmsg $idx; fail "not RUNNING on $ncpu CPUs: $(cat /tmp/s)"; }
	$MT kmsg $idx | tee /tmp/k
	grep -q '^\[  0\]: IHK/McKernel started\.' /tmp/k || fail "no start line"
	grep -q 'KCommand Line: hidos dump_level=24 frobnicate' /tmp/k || fail "no command line"
	grep -q 'unknown kernel argument: frobnicate' /tmp/k || fail "unknown argument not reported"
	grep -q "# of cpus : $ncpu\$" /tmp/k || fail "wrong CPU count"
	grep -q "Physical memory: $((32 * MiB)) bytes .* @ NUMA: 0" /tmp/k || fail "node 0 memory line"
	grep -q "Physical memory: $((16 * MiB)) bytes .* @ NUMA: 1" /tmp/k || fail "node 1 memory line"
	grep -q 'NUMA 0 distances: 10 31' /tmp/k || fail "distances"
	grep -q "BSP: booted $((ncpu - 1)) AP CPUs" /tmp/k || fail "AP count"
	[ $ncpu = 2 ] && { grep -q '^\[  1\]: AP: 1 ' /tmp/k || fail "no line from CPU 1"; }
	grep -q 'Master channel init acked\.' /tmp/k || fail "master channel not acked"
	grep -q 'IHK/McKernel booted\.' /tmp/k || fail "no booted line"
	run $MT -e EBUSY destroy $idx
	run $MT shutdown $idx
	$MT status $idx | grep -q "state INACTIVE" || fail "not INACTIVE after shutdown"
	run $MT destroy $idx
done
run $MT release-cpus 2-3
run $MT release-mem all
[ "$(online_cpus)" = 0-3 ] || fail "CPUs not back: $(online_cpus)"
unload_mod
