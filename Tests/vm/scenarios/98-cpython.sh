# SPDX-License-Identifier: GPL-2.0
# CPython's own regression tests (Debian's libpython3.11-testsuite), run by
# `python3 -m test`, natively and on the LWK (2 CPUs, time_sharing=8: the tests
# fork, start threads and run python subprocesses), one module at a time.
# Every test's outcome (pass, fail, error, skip) is compared: each test that
# differs must be one cpython-differences.txt (beside this script) lists, with why; a listed
# one that no longer differs is reported.  make test gives each of its two
# guests every other module of FAST (this_guests_share); make suites
# (mcos.cpython=all mcos.share=all) runs every module staged on both, and
# mcos.cpython=test_a,test_b the ones named.
. /scenarios/lib.sh
PY=/usr/bin/python3
TESTDIR=/usr/lib/python3.11/test
OUTCOMES="$PY /usr/lib/mcos-test/cpython_outcomes.py"
KNOWN=/scenarios/cpython-differences.txt
# in pairs of about equal cost, so that make test's two guests take as long
FAST="test_os test_signal test_tempfile test_posix test_shutil test_mmap
test_fork1 test_wait3 test_wait4 test_select test_pipes test_sched"
# A module still running after BOUND seconds has hung (regrtest's own --timeout
# dumps the tracebacks of a hung test first): the quick ones take under 4
# minutes on the LWK, test_subprocess 25.
BOUND=2400
case $(param cpython fast) in
fast) TESTS=$(this_guests_share $FAST) BOUND=600 ;;
all) TESTS=$(cd $TESTDIR && ls -d test_* | sed 's/\.py$//') ;;
*) TESTS=$(param cpython fast | tr , ' ') ;;
esac

load_mod
lwk_instance_with "hidos time_sharing=8" 640M@0 32M@1
cpus=$(lwk_cpus $idx)
. /scenarios/compare.sh
shm_mount
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts || fail "cannot mount /dev/pts"
# the accounts a distribution has (the tests look the user up: getgrouplist, initgroups)
made_accounts=
if [ ! -e /etc/passwd ]; then
	mkdir -p /etc
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > /etc/passwd
	printf 'root:x:0:\nnogroup:x:65534:\n' > /etc/group
	made_accounts=1
fi
rm -rf /tmp/cpython
mkdir -p /tmp/cpython/native /tmp/cpython/lwk
cd /tmp/cpython

# counts FILE: "N pass, N fail, ..." of an outcomes file
counts() {
	awk '{ n[$2]++ } END { printf "%d pass, %d fail, %d error, %d skip%s", n["pass"], n["fail"],
		n["error"], n["skip"], n["crashed"] ? ", crashed" : "" }' "$1"
}

differ=0 unexpected=
for test in $TESTS; do
	for side in native lwk; do
		cmd="$PY -m test --timeout $((BOUND - 60)) --junit-xml $side/$test.xml $test"
		[ $side = lwk ] && cmd="mcexec $idx $cmd"
		t0=$(uptime_seconds)
		# shellcheck disable=SC2086 # a command line of words without blanks
		bounded $BOUND $side/$test.out $cmd
		$OUTCOMES $test $side/$test.xml > $side/$test.outcomes
		eval "${side}_took=\$((\$(uptime_seconds) - t0))"
	done
	summary="$test: native $(counts native/$test.outcomes) (${native_took} s); LWK $(counts lwk/$test.outcomes) (${lwk_took} s)"
	log "$summary"
	progress "98-cpython: $summary"
	# TEST-ID native-OUTCOME lwk-OUTCOME, for each test whose outcomes differ
	awk 'FNR == NR { native[$1] = $2; next }
		{ lwk[$1] = $2 }
		END {
			for (id in native)
				if (!(id in lwk) || lwk[id] != native[id])
					print id, native[id], (id in lwk) ? lwk[id] : "none"
			for (id in lwk)
				if (!(id in native))
					print id, "none", lwk[id]
		}' native/$test.outcomes lwk/$test.outcomes | sort > diff.$test
	while read -r id native lwk; do
		differ=$((differ + 1))
		if grep -q "^$id $native $lwk " $KNOWN; then
			log "  known: $id: natively $native, on the LWK $lwk"
		else
			log "  DIFFERS: $id: natively $native, on the LWK $lwk"
			progress "98-cpython:   DIFFERS: $id: natively $native, on the LWK $lwk"
			unexpected="$unexpected $id"
			for side in native lwk; do
				echo "  $side:"
				$OUTCOMES --why $side/$test.xml "$id" | tail -n 12 | sed 's/^/    /'
			done
		fi
	done < diff.$test
	awk '{ print $1 }' diff.$test > differs.$test
	grep "^test\.$test\." $KNOWN | while read -r id _; do
		grep -qx "$id" differs.$test || log "  no longer differs: $id (listed in cpython-differences.txt)"
	done
	expect_idle "after $test"
done
log "CPython tests: $(echo $TESTS | wc -w) modules, $differ tests differ${unexpected:+, not listed:$unexpected}"

cd /
[ -z "$made_accounts" ] || rm -f /etc/passwd /etc/group
umount /dev/pts
shm_unmount
lwk_log_clean $idx "after CPython's tests"
[ -z "$unexpected" ] || fail "CPython tests that differ between Linux and the LWK:$unexpected"
lwk_teardown $idx
