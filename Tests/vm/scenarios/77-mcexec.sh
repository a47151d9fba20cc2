# SPDX-License-Identifier: GPL-2.0
# mcexec: unmodified static programs run on the LWK with their system calls
# served on Linux.  Every lwkprog check runs natively and on the LWK and
# must print the same and exit the same; the only values allowed to differ
# are on lines starting with "pid" (the pid of each run).  busybox applets
# (hostname, ls, cat, cp) likewise.  Then the ends: a fault (139), signals
# to mcexec (Ctrl-C 130, TERM 143), kill -9 of mcexec (the CPU comes back),
# every CPU busy, a #! script, and the refusals; a shutdown under a running
# program.
# An idle proxy sleeps until the LWK's interrupt, and with the interrupt
# path off (mcos.ikc_poll=1) the proxies poll and everything still works.
. /scenarios/lib.sh
P=/bin/lwkprog
load_mod
run $MT setup 2-3 192M@0 32M@1
new_instance 2-3 0 1

log "before boot: refusals"
run mcos-test-pie proc-rules $idx stopped
run mcos-test-pie -u 65534 proc-rules $idx stopped
rc=0; mcexec $idx $P write > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] && grep -q 'not running' /tmp/o || fail "mcexec on an instance not booted: rc $rc"

lwk_boot $idx hidos
run mcos-test-pie proc-rules $idx running
run mcos-test-pie -u 65534 proc-rules $idx running
ls -l /dev/mcos$idx

# same NAME ARGS...: run lwkprog natively and on the LWK, same output and status
mask() { sed 's/^pid .*/pid (masked)/' "$1"; }
same() {
	name=$1
	shift
	nrc=0; "$@" > /tmp/native.out 2>&1 < /tmp/stdin || nrc=$?
	lrc=0; mcexec $idx "$@" > /tmp/lwk.out 2>&1 < /tmp/stdin || lrc=$?
	echo "== $name: native $nrc, LWK $lrc"
	cat /tmp/lwk.out
	mask /tmp/native.out > /tmp/native.m
	mask /tmp/lwk.out > /tmp/lwk.m
	diff /tmp/native.m /tmp/lwk.m || { $MT kmsg $idx | tail -n 15; fail "$name: output differs between Linux and the LWK"; }
	[ "$nrc" = "$lrc" ] || fail "$name: exit status $lrc on the LWK, $nrc natively"
}

printf 'some input\nfor read(2)\n' > /tmp/stdin
for prog in $P $P-pie; do
	same "$prog write" $prog write
	same "$prog read" $prog read
	same "$prog getpid" $prog getpid
	same "$prog exit42" $prog exit42
	same "$prog args" $prog args one 'two words' ''
done
same "open" $P open /tmp
same "stat" $P stat /scenarios/lib.sh
same "brk" $P brk
same "mmap" $P mmap
same "clock" $P clock
same "remap" $P remap
same "mremap" $P mremap
same "madvise" $P madvise
same "signals" $P signals
dd if=/dev/urandom of=/tmp/big bs=1M count=64 2> /dev/null
same "64 MiB read" $P bigread /tmp/big
rm -f /tmp/big
same "segv" $P segv
[ "$lrc" = 139 ] || fail "a segfault on the LWK gave status $lrc, expected 139"
: > /tmp/stdin

log "busybox on the LWK"
same "hostname" hostname
same "busybox ls /" busybox ls /
# /proc/meminfo changes between two reads: compare its field names
mcexec $idx busybox cat /proc/meminfo > /tmp/mi || fail "mcexec busybox cat /proc/meminfo exited $?"
cut -d: -f1 /tmp/mi > /tmp/mi.l
cut -d: -f1 /proc/meminfo > /tmp/mi.n
diff /tmp/mi.n /tmp/mi.l || fail "/proc/meminfo read on the LWK has other fields"
head -n 3 /tmp/mi
mcexec $idx busybox cp /scenarios/lib.sh /tmp/copied || fail "cp on the LWK exited $?"
cmp /scenarios/lib.sh /tmp/copied || fail "the file cp wrote on the LWK differs"
mcexec $idx $P write > /tmp/written || fail "write to a file exited $?"
[ "$(cat /tmp/written)" = "hello from write(2)" ] || fail "the redirected output reads '$(cat /tmp/written)'"
log "files written on the LWK read back on Linux"

log "signals to mcexec"
# as a terminal's foreground job: a script's background job ignores SIGINT
$MT foreground mcexec $idx $P spin > /tmp/spin1 2>&1 &
m1=$!
wait_until 30 "the program to start" grep -q spinning /tmp/spin1
kill -INT $m1
rc=0; wait_exit $m1 || rc=$?
[ "$rc" = 130 ] || fail "Ctrl-C (SIGINT) to mcexec: status $rc, expected 130"
log "a signal ignored when mcexec starts stays ignored (nohup)"
rm -f /tmp/spin1
(trap '' HUP; exec mcexec $idx $P spin > /tmp/spin1 2>&1) &
m1=$!
wait_until 30 "the program to start" grep -q spinning /tmp/spin1
kill -HUP $m1
sleep 1
kill -0 $m1 2>/dev/null || fail "SIGHUP ended a program started with SIGHUP ignored"
kill -TERM $m1
rc=0; wait_exit $m1 || rc=$?
[ "$rc" = 143 ] || fail "SIGTERM after an ignored SIGHUP: status $rc, expected 143"
rm -f /tmp/spin1	# so that the wait below sees only the new program's line
mcexec $idx $P spin > /tmp/spin1 2>&1 &
m1=$!
mcexec $idx $P spin > /tmp/spin2 2>&1 &
m2=$!
wait_until 30 "the first program to start" grep -q spinning /tmp/spin1
wait_until 30 "the second program to start" grep -q spinning /tmp/spin2
rc=0; mcexec $idx $P write > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] && grep -q 'every LWK CPU of OS' /tmp/o || fail "with every CPU busy: rc $rc"
rc=0; mcexec -c 0 $idx $P write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'LWK CPU 0 of OS .* is running another program' /tmp/o || fail "-c on a busy CPU: rc $rc: $(cat /tmp/o)"
$MT ping $idx | tee /tmp/p
grep -q '^ping sent 0 answered 0 ' /tmp/p || fail "ping used busy CPUs: $(cat /tmp/p)"
kill -TERM $m1
rc=0; wait_exit $m1 || rc=$?
[ "$rc" = 143 ] || fail "SIGTERM to mcexec: status $rc, expected 143"
kill -9 $m2
wait $m2 2>/dev/null
sleep 3	# release() ends the program (up to 2 s)
scenario_dmesg | grep 'stays busy' && fail "a CPU stayed busy after kill -9 of its mcexec"
same "after kill -9" $P exit42
$MT ping $idx | tee /tmp/p
grep -q '^ping sent 2 answered 2 ' /tmp/p || fail "the CPUs do not answer pings after the programs: $(cat /tmp/p)"

log "an idle proxy sleeps until the LWK interrupts it"
dmesg | grep -q 'mcos: LWK wake-ups by IRQ' || fail "the module has no interrupt for LWK wake-ups: $(dmesg | grep 'LWK wake-ups')"
# idle_proxy: mcexec's CPU time (ms) and wake-ups across 2 s while its
# program computes without a system call
idle_proxy() {
	local m a b
	rm -f /tmp/spin1
	mcexec $idx $P spin > /tmp/spin1 2>&1 &
	m=$!
	wait_until 30 "the program to start" grep -q spinning /tmp/spin1
	sleep 0.5
	a="$(cut -d' ' -f1 /proc/$m/schedstat) $(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/$m/status)"
	sleep 2
	b="$(cut -d' ' -f1 /proc/$m/schedstat) $(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/$m/status)"
	kill -TERM $m
	wait_exit $m || true
	set -- $a $b
	echo "$((($3 - $1) / 1000000)) $(($4 - $2))"
}
set -- $(idle_proxy)
log "sleeping proxy: $1 ms of CPU and $2 wake-ups in 2 s"
# Sleeping, it wakes only at the end of each 500 ms nap (about 4 times):
# 60 leaves room for a slow guest and is far below polling's ~2,400; 40 ms
# is 2 % of a CPU where polling costs about 10 %.
[ "$2" -le 60 ] || fail "an idle proxy woke $2 times in 2 s: it polls"
[ "$1" -le 40 ] || fail "an idle proxy used $1 ms of CPU in 2 s"
# Every call above that took longer than the spin was answered by the
# interrupt, on the CPU that it is set up on, or a sleep ran out.
grep mcos-ikc /proc/interrupts
awk '/mcos-ikc/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { exit !(n > 0) }' \
	/proc/interrupts || fail "the LWK never interrupted Linux"
dmesg | grep -i 'no irq handler for vector' && fail "the LWK's interrupt reached a CPU without its handler"

log "with the interrupt path off (mcos.ikc_poll=1) the proxies poll, and all works"
echo 1 > /sys/module/mcos/parameters/ikc_poll
printf 'some input\nfor read(2)\n' > /tmp/stdin
same "polling: write" $P write
same "polling: read" $P read
: > /tmp/stdin
same "polling: bigread" $P bigread /scenarios/lib.sh
same "polling: signals" $P signals
same "polling: busybox ls /" busybox ls /
set -- $(idle_proxy)
log "polling proxy: $1 ms of CPU and $2 wake-ups in 2 s"
echo 0 > /sys/module/mcos/parameters/ikc_poll
same "sleeping again: getpid" $P getpid

log "refusals"
rc=0; mcexec $idx /nonexistent > /tmp/o 2>&1 || rc=$?
[ "$rc" = 127 ] || fail "missing program: rc $rc"
printf '#!/bin/sh -e\necho hi "$@"\nexit 3\n' > /tmp/script.sh
chmod +x /tmp/script.sh
same "a #! script" /tmp/script.sh one 'two words'
printf '#!\necho hi\n' > /tmp/script.sh
rc=0; mcexec $idx /tmp/script.sh > /tmp/o 2>&1 || rc=$?
[ "$rc" = 126 ] || fail "a script without an interpreter: rc $rc"
rc=0; mcexec -c 7 $idx $P write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'has no LWK CPU 7' /tmp/o || fail "-c 7: rc $rc: $(cat /tmp/o)"
rc=0; mcexec 5 $P write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'OS 5 does not exist' /tmp/o || fail "OS 5: rc $rc: $(cat /tmp/o)"

log "memory bound to NUMA nodes (-m), as to KNL's MCDRAM in flat mode"
last_start() { $MT kmsg $idx | grep 'starts at' | tail -n 1; }
run mcexec $idx $P alloc 48
last_start | grep -qE 'KiB mapped: NUMA 0 [0-9]+ KiB$' || fail "unbound: not loaded on the CPU's node: $(last_start)"
run mcexec -m 1 $idx $P alloc 16
last_start | grep -qE 'KiB mapped: NUMA 1 [0-9]+ KiB$' || fail "-m 1: not loaded on NUMA 1 only: $(last_start)"
$MT kmsg $idx | grep -q 'memory bound to NUMA 1$' || fail "-m 1: the LWK does not say it bound the process"
rc=0; mcexec -m 1 $idx $P alloc 48 > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] && grep -q 'alloc: 48 MiB: Cannot allocate memory' /tmp/o ||
	fail "-m 1 with 48 MiB (NUMA 1 has 32 MiB): rc $rc, expected ENOMEM"
rc=0; mcexec -m 0,1 $idx $P alloc 48 > /tmp/o 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "-m 0,1 with 48 MiB: rc $rc: $(cat /tmp/o)"
rc=0; mcexec -m 2 $idx $P write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'has no memory on a NUMA node of -m 2' /tmp/o || fail "-m 2: rc $rc: $(cat /tmp/o)"

log "the LWK's log"
$MT kmsg $idx > /tmp/kmsg
tail -n 20 /tmp/kmsg
grep -iE 'leak|panic' /tmp/kmsg && fail "the LWK's log reports a leak or a panic"

log "shutdown under a running program"
rm -f /tmp/spin1
mcexec $idx $P spin > /tmp/spin1 2>&1 &
m1=$!
wait_until 30 "the program to start" grep -q spinning /tmp/spin1
run $MT shutdown $idx
rc=0; wait_exit $m1 || rc=$?
cat /tmp/spin1
[ "$rc" = 1 ] && grep -q 'was shut down' /tmp/spin1 || fail "mcexec under a shutdown: rc $rc"
run $MT destroy $idx
run $MT release-cpus all
run $MT release-mem all
unload_mod
