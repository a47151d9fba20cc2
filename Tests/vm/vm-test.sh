#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the guest scenarios on each kernel, each guest bounded by a timeout.
# The guests run at once where the machine has a core per guest (a TCG guest
# keeps about one host core busy: its LWK CPUs halt when idle), else one
# after the other.  Prints, kernel after kernel, "PASS k/name" / "FAIL
# k/name: reason" lines and the guest console of any kernel with a failure,
# and finally exactly "N passed, M failed".  Exit status non-zero if
# anything failed or a guest did not finish.
# usage: vm-test.sh BUILD_DIR KERNEL_VERSION...
# env: VM_TIMEOUT (seconds per kernel, default 1500; make passes 2400), VM_PARALLEL (1: every
# guest at once, 0: one at a time; default: at once if there are as many
# cores as kernels), VM_BOOT_TIMEOUT (seconds
# for Linux to boot as far as the first scenario, default 300), VM_APPEND (extra
# guest kernel arguments, e.g. mcos.verbose to see every scenario's output)
set -u
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
boot_timeout_s=${VM_BOOT_TIMEOUT:-300}

# boot_guest KERNEL LOG: one boot, its console in LOG, its exit status in $rc.
# A guest whose Linux has not reached the first scenario within
# $boot_timeout_s is stopped: seen once, a 6.1 guest hung after PCI setup
# under TCG and would otherwise have held the run for the whole VM_TIMEOUT.
boot_guest() {
	local waited=0 guest
	boot_hung=0
	VM_COM2="$build/$1/lwk-com2.log" timeout -k 10 "$timeout_s" "$here/qemu.sh" "/boot/vmlinuz-$1" \
		"$build/$1/initramfs.cpio.gz" ${VM_APPEND:-} < /dev/null > "$2" 2>&1 &
	guest=$!
	while kill -0 $guest 2>/dev/null && ! grep -q '^MCOS-RUN ' "$2"; do
		if [ $waited -ge "$boot_timeout_s" ]; then
			echo "# $1: Linux did not reach the first scenario within ${boot_timeout_s}s; stopping the guest"
			kill $guest
			boot_hung=1
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait $guest
	rc=$?
}
timeout_s=${VM_TIMEOUT:-1500}
passed=0
failed=0
# what the kernel prints when something is wrong: the scenarios' own definition
kernel_bad=$(sed -n "s/^KERNEL_BAD='\(.*\)'\$/\1/p" "$here/scenarios/lib.sh")
[ -n "$kernel_bad" ] || { echo "vm-test.sh: no KERNEL_BAD in $here/scenarios/lib.sh"; exit 1; }

test_kernel() {
	local k=$1 log start attempt secs p f ok series last where
	log="$build/$k/console.log"
	start=$(date +%s)
	# A guest that dies or hangs before its first scenario starts has not run
	# any of our code (seen: an int3 Oops in Linux's own boot-time text
	# patching under TCG, about one boot in ten on 6.12); it is booted once
	# more, and says so.  A guest that dies later is never retried.
	for attempt in 1 2; do
		boot_guest "$k" "$log"
		tr -d '\r' < "$log" > "$log.txt"
		grep -q '^MCOS-RUN ' "$log.txt" && break
		[ "$attempt" = 1 ] || break
		echo "# $k: the guest died or hung while Linux booted, before any scenario; booting it again. Its console:"
		grep -E 'Oops|panic|RIP:' "$log.txt" | head -n 5 | sed 's/^/#   /'
		cp "$log.txt" "$log.first-boot.txt"
	done
	secs=$(( $(date +%s) - start ))
	grep -E '^(PASS|FAIL) ' "$log.txt"
	p=$(grep -c '^PASS ' "$log.txt")
	f=$(grep -c '^FAIL ' "$log.txt")
	ok=1
	if ! grep -q '^MCOS-DONE ' "$log.txt"; then
		series=$(echo "$k" | cut -d. -f1-2)
		# the scenario that was running: last one started but not reported
		last=$(sed -n 's/^MCOS-RUN //p' "$log.txt" | tail -n 1)
		if [ -n "$last" ] && ! grep -qE "^(PASS|FAIL) $last(:|\$)" "$log.txt"; then
			where=" during $last"
		else
			where=""
		fi
		if [ "$boot_hung" = 1 ]; then
			echo "FAIL $series/guest: Linux did not boot as far as the first scenario within ${boot_timeout_s}s, twice"
		elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "FAIL $series/guest: did not finish within ${timeout_s}s$where"
		else
			echo "FAIL $series/guest: did not finish$where (qemu exit $rc: panic or crash?)"
		fi
		f=$((f + 1))
	fi
	# What a scenario expects to see while the guest powers off (its lines
	# "MCOS-EXPECT k/name TEXT"): TEXT after MCOS-DONE, and no oops there.
	sed -n '/^MCOS-DONE /,$p' "$log.txt" > "$log.after"
	grep '^MCOS-EXPECT ' "$log.txt" > "$log.expect"
	while read -r _ scenario text; do
		if ! grep -qF "$text" "$log.after"; then
			echo "FAIL $scenario: the power off did not show \"$text\""
			f=$((f + 1))
		elif grep -qE "$kernel_bad" "$log.after"; then
			echo "FAIL $scenario: the kernel complained while powering off"
			f=$((f + 1))
		else
			echo "PASS $scenario (power off)"
			p=$((p + 1))
		fi
	done < "$log.expect"
	[ "$f" = 0 ] || ok=0
	echo "# $k: passed $p, failed $f, ${secs}s (console: $log.txt)"
	if [ "$ok" = 0 ]; then
		echo "---- guest console ($k) ----"
		cat "$log.txt"
		echo "---- end of guest console ($k) ----"
	fi
	echo "$p $f" > "$build/$k/counts"
}

parallel=${VM_PARALLEL:-}
[ -n "$parallel" ] || { [ "$(nproc)" -ge $# ] && parallel=1 || parallel=0; }
for k in "$@"; do
	rm -f "$build/$k/counts"
	echo "# $k: booting the guest (its results follow when every guest is done)"
	if [ "$parallel" = 1 ]; then
		test_kernel "$k" > "$build/$k/report" 2>&1 &
	else
		test_kernel "$k" > "$build/$k/report" 2>&1
	fi
done
wait
for k in "$@"; do
	cat "$build/$k/report"
	if read -r p f < "$build/$k/counts" 2>/dev/null; then
		passed=$((passed + p))
		failed=$((failed + f))
	else
		echo "FAIL $k/guest: its test run ended without counts"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
