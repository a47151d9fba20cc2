# SPDX-License-Identifier: GPL-2.0
# Running a program natively and on the LWK and comparing the two, for the
# scenarios that do that case after case (92-exec, 93-fork): sourced after
# lib.sh, once $idx (the instance), $cpus (its LWK CPUs) and $BOUND (seconds a
# run may take) are set.  Each difference is shown and added to $failed, so
# that every case runs; the scenario fails at its end if $failed is not empty.
failed=

# bounded SECONDS OUT CMD...: runs CMD, its output to OUT; sets rc to its status
# and bg to its pid.  A run still going after SECONDS is killed and fails the
# scenario, so that a program the LWK does not end cannot hang the guest.
bounded() {
	local seconds=$1 out=$2 deadline=$(($(uptime_seconds) + $1))
	shift 2
	"$@" > "$out" 2>&1 < /dev/null &
	bg=$!
	until exited $bg; do
		if [ "$(uptime_seconds)" -gt $deadline ]; then
			kill -9 $bg
			wait $bg 2> /dev/null
			cat "$out"
			$MT kmsg $idx | tail -n 15
			fail "'$*' did not end within $seconds s"
		fi
		sleep 0.1
	done
	rc=0; wait $bg || rc=$?
}

# same NAME CMD...: natively and on the LWK, same output and status; lrc is the
# LWK's status and bg mcexec's pid (the program's)
same() {
	local name=$1
	shift
	same_via "$name" "" "$@"
}

# same_via NAME LAUNCHER CMD...: as same, with CMD and mcexec each started by
# LAUNCHER (words: a program that sets up what they inherit, then execs the rest
# of its command line)
same_via() {
	local name=$1 launcher=$2
	shift 2
	bounded $BOUND /tmp/native.out $launcher "$@"
	nrc=$rc
	bounded $BOUND /tmp/lwk.out $launcher mcexec $idx "$@"
	lrc=$rc
	echo "== $name: native $nrc, LWK $lrc"
	cat /tmp/lwk.out
	diff /tmp/native.out /tmp/lwk.out || { $MT kmsg $idx | tail -n 15; failed="$failed $name"; }
	[ "$nrc" = "$lrc" ] || { echo "exit status $lrc on the LWK, $nrc natively"; failed="$failed $name"; }
}

# expects STATUS NAME: the last run on the LWK exited with STATUS
expects() {
	[ "$lrc" = "$1" ] || { echo "$2: status $lrc on the LWK, expected $1"; failed="$failed $2-status"; }
}

all_idle() {
	$MT ping $idx | grep -q "^ping sent $cpus answered $cpus "
}

# expect_idle WHEN: every LWK CPU idle again (a thread's or a process's CPU is
# freed when its proxy sees it end: a moment after the program's own end)
expect_idle() {
	wait_until 10 "every LWK CPU to be idle $1" all_idle
	[ "$(os_state $idx)" = RUNNING ] || fail "the LWK is $(os_state $idx) $1"
}
