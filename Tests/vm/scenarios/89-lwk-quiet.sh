# SPDX-License-Identifier: GPL-2.0
# What enters an LWK CPU's kernel while a program runs, as the LWK counts it
# and logs at the program's end ("while it ran: T timer, I IKC, O other
# interrupts, P page faults, E other exceptions, L local and F offloaded
# system calls"): counted inside the guest, where host jitter cannot fake
# it.  quiet (no libc) computes for about a second without a system call,
# then makes exactly 5 getpid (local), 3 write (offloaded) and exit_group
# (local): the LWK must count 0 timer and 0 other interrupts, no exception,
# 6 local and 3 offloaded calls, and at most one IKC interrupt per answer
# from Linux plus the one that brought START.  A program that faults counts
# its page fault.
. /scenarios/lib.sh
load_mod
lwk_instance 64M@0

# ran FIELD: the count FIELD ("timer", "IKC", "page faults", ...) of the last
# process end in the LWK's log
ran() {
	$MT kmsg $idx | grep 'exited .*; while it ran: ' | tail -n 1 |
		sed 's/.*while it ran: //' | tr ',' '\n' | sed -n "s/^ *\([0-9]*\) $1\$/\1/p"
}

nrc=0; /bin/quiet > /tmp/native.out 2>&1 || nrc=$?
start=$(cut -d' ' -f1 /proc/uptime)
lrc=0; mcexec $idx /bin/quiet > /tmp/lwk.out 2>&1 || lrc=$?
end=$(cut -d' ' -f1 /proc/uptime)
cat /tmp/lwk.out
log "quiet on the LWK took $start .. $end s of uptime"
diff /tmp/native.out /tmp/lwk.out || fail "quiet: output differs between Linux and the LWK"
[ "$nrc" = 0 ] && [ "$lrc" = 0 ] || fail "quiet: exit status $lrc on the LWK, $nrc natively"
line=$($MT kmsg $idx | grep 'exited .*; while it ran: ' | tail -n 1)
echo "$line"
[ -n "$line" ] || fail "the LWK's log has no count of what entered its kernel"
[ "$(ran timer)" = 0 ] || fail "quiet saw $(ran timer) timer interrupts: the LWK is not tickless"
[ "$(ran 'other interrupts')" = 0 ] || fail "quiet saw $(ran 'other interrupts') interrupts nobody asked for"
[ "$(ran 'page faults')" = 0 ] || fail "quiet saw $(ran 'page faults') page faults"
[ "$(ran 'other exceptions')" = 0 ] || fail "quiet saw $(ran 'other exceptions') exceptions"
echo "$line" | grep -q ' 6 local and 3 offloaded system calls$' ||
	fail "quiet made 6 local and 3 offloaded system calls, the LWK counted otherwise"
ikc=$(ran IKC)
[ -n "$ikc" ] && [ "$ikc" -le 4 ] || fail "quiet saw $ikc IKC interrupts, more than Linux's 3 answers and START"

log "a program that faults: one page fault, still no tick"
rc=0; mcexec $idx /bin/lwkprog segv > /tmp/o 2>&1 || rc=$?
[ "$rc" = 139 ] || fail "lwkprog segv: exit status $rc, expected 139"
$MT kmsg $idx | grep 'exited .*; while it ran: ' | tail -n 1
[ "$(ran 'page faults')" = 1 ] || fail "lwkprog segv: $(ran 'page faults') page faults counted, expected 1"
[ "$(ran timer)" = 0 ] && [ "$(ran 'other interrupts')" = 0 ] || fail "lwkprog segv saw timer or other interrupts"

expect_lwk_idle $idx "after the programs"
lwk_teardown $idx
expect_cpus_back
