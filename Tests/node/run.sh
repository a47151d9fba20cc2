#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The node test: the packages checked by lintian, a Debian root file system (cached)
# that gets them with DKMS, booted under QEMU with systemd and the test of
# guest/node-test.sh. Two scopes (see rootfs.sh):
#   full   (make node-test, what make test runs) a kernel upgrade rebuilding the module, Slurm and munge,
#          srun onto the LWK, a panicked LWK draining the node;
#   quick  (make node-test-quick, while developing) the packages, DKMS, modprobe's
#          install rule and mcprov@.service: apply at boot, the journal, irqbalance's
#          ban, a program on the LWK, stop giving everything back, a panicked LWK
#          failing the unit.
# Ends with `node: N passed, M failed`; exits non-zero if anything failed or the guest
# did not finish in time.
# usage: run.sh WORK DEB_DIR LWKPROG TIMEOUT full|quick LWK_TEST_IMAGE
set -u
work=$1 debs=$2 lwkprog=$3 timeout=$4 scope=$5 lwktest=$6
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started )) s"; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$work"
results=$work/results
: > "$results"

# lintian: errors fail; the warnings that remain are explained in the README. Only in
# the full scope: the packages are the same in both, and the quick one is for speed.
if [ "$scope" = full ]; then
	if lintian --fail-on error --suppress-tags-from-file "$top/packaging/lintian-overrides" "$debs"/*.deb > "$work/lintian.log" 2>&1; then
		echo "PASS node/lintian" | tee -a "$results"
	else
		echo "FAIL node/lintian: $(grep '^E:' "$work/lintian.log" | head -n 5)" | tee -a "$results"
	fi
	grep '^W:' "$work/lintian.log" | sed 's/^/  lintian /'
fi

set -- $("$top/Tests/vm/kernels.sh")
old=${1:?no 6.1 guest kernel (Tests/vm/install-deps.sh)} new=${2:?no 6.12 guest kernel}
base=$(sh "$here/rootfs.sh" "$work/cache" "$scope" "$old" "$new") || { echo "FAIL node/rootfs: mmdebstrap failed"; exit 1; }
echo "node: root file system ready ($(elapsed))"
sh "$here/build-guest.sh" "$work" "$base" "$debs" "$scope" "$old" "$new" "$lwkprog" "$lwktest" | tee -a "$results"
echo "node: guest built ($(elapsed))"
built=$(tail -n 1 "$results")
case $built in
PASS*) ;;
*) echo "see $work/build-guest.log"; finished=no ;;
esac

if [ "${finished:-}" != no ]; then
	booted=$new
	[ "$scope" = quick ] && booted=$old
	echo "node: booting Debian $booted with systemd ($scope) under QEMU (log: $work/console.log)"
	# A guest whose Linux dies before user space has run nothing of ours (seen: an int3
	# Oops in Linux's own boot-time text patching under TCG, as in Tests/vm/vm-test.sh);
	# it is booted once more, and says so. A guest that dies later is never retried.
	for attempt in 1 2; do
		VM_COM2=$work/lwk-com2.log timeout "$timeout" sh "$top/Tests/vm/qemu.sh" "$work/vmlinuz" "$work/node.cpio" \
			"rdinit=/init systemd.show_status=0 systemd.log_level=warning" < /dev/null > "$work/console.log" 2>&1
		rc=$?
		grep -q NODE-USERSPACE "$work/console.log" && break
		[ "$attempt" = 1 ] || break
		echo "node: the guest died while Linux booted, before user space; booting it again. Its console:"
		grep -E 'Oops|panic|RIP:' "$work/console.log" | head -n 5 | sed 's/^/node:   /'
		cp "$work/console.log" "$work/console.first-boot.log"
	done
	tr -d '\r' < "$work/console.log" | grep -E '^(PASS|FAIL) node/|^  \| ' | tee -a "$results"
	if ! grep -q NODE-TEST-DONE "$work/console.log"; then
		if [ "$rc" = 124 ]; then
			echo "FAIL node/guest: did not finish within $timeout s; the console:" | tee -a "$results"
		else
			echo "FAIL node/guest: the guest stopped before the test finished (qemu exit $rc: a panic?); the console:" | tee -a "$results"
		fi
		tail -n 60 "$work/console.log"
	fi
fi
echo "node: guest done ($(elapsed))"
passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
echo "node: $passed passed, $failed failed"
[ "$failed" = 0 ]
