# SPDX-License-Identifier: GPL-2.0
# Page-table isolation (pti=on).  What a program's user
# mode can translate is measured, not taken on trust: a program reads a
# kernel address and dies of the page fault, whose error code (in the LWK's
# "segfault at" line) has the present bit set if the page table the CPU
# walked had a translation there (a protection fault: the page is the
# kernel's), and clear if it had none.  No timing involved: the MMU says it.
# Without pti the LWK's image and the memory programs get their pages from
# are present (error 5: the check below would fail so if the user root
# mapped the kernel's window); with pti=on they are not (error 4), while the
# entry code the user root must map still is (error 5).  Then every way in
# and out of the kernel under pti=on: system calls, a fatal fault, a
# single-step trap, EFLAGS.NT at exit, signals, an interrupt that ends a
# spinning program, a threaded program (each CPU's user root gets the
# process's user half, also a slot mapped after a thread started: 91's
# threads, compared with Linux), the syscall fuzzer at a small scale, and both CPUs back
# to idle with no PANIC; then the same threads and a chain of processes, more
# of them than CPUs, under pti=on time_sharing=2 (each context runs user mode on
# a user root of its own, which a context switch switches to).  A mistake on
# any of these paths is a triple fault (the instance dies) or a PANIC.
. /scenarios/lib.sh
P=/bin/lwkprog
H=/bin/hostile
image=0x7f8000000000	# MCOS_LWK_BASE: the LWK's image, supervisor-only
memory=0x7f8003000000	# 48 MiB into the window: program memory
load_mod
run $MT setup 2-3 64M@0 16M@1

# peek ADDRESS: a program reads ADDRESS and dies of it; prints the error code logged
peek() {
	rc=0; mcexec $idx $P peek $1 > /tmp/peek 2>&1 || rc=$?
	[ $rc = 139 ] || fail "reading $1 from user mode: status $rc: $(cat /tmp/peek)"
	$MT kmsg $idx | sed -n "s/.*segfault at ${1#0x} .* error \([0-9a-f]*\)\$/\1/p" | tail -n 1
}

# expect_error ADDRESS CODE WHY
expect_error() {
	got=$(peek $1)
	log "a read of $1 in user mode: page fault error ${got:-(none logged)}"
	[ "$got" = "$2" ] || fail "a read of $1 from user mode: error ${got:-(none)}, expected $2 ($3)"
}

new_instance 2-3 0 1
lwk_boot $idx hidos
$MT kmsg $idx | grep 'PTI:' || fail "the LWK does not say whether PTI is on"
$MT kmsg $idx | grep -q 'PTI: off' || fail "PTI is not off by default"
expect_error $image 5 "without pti the kernel's image is mapped"
expect_error $memory 5 "without pti the instance's memory is mapped"
run $MT shutdown $idx
run $MT destroy $idx

new_instance 2-3 0 1
lwk_boot $idx "hidos pti=on"
$MT kmsg $idx > /tmp/k
grep 'PTI:' /tmp/k
grep -q 'PTI: on: user mode runs on a root that maps 16 KiB of the kernel' /tmp/k ||
	fail "the LWK does not say that PTI is on with 16 KiB of the kernel in user mode"
entry=$(sed -n 's/.*PTI: on.*entry code at 0x0*\([0-9a-f]*\).*/0x\1/p' /tmp/k)
expect_error $image 4 "with pti the kernel's image is not in the user root"
expect_error $memory 4 "with pti the instance's memory is not in the user root"
expect_error $entry 5 "the user root maps the entry code, supervisor-only"

# status WANT ARGS...: mcexec ARGS ends with status WANT
status() {
	want=$1
	shift
	rc=0; mcexec "$@" > /tmp/o 2>&1 || rc=$?
	[ "$rc" = "$want" ] || fail "mcexec $*: status $rc, expected $want: $(tail -n 3 /tmp/o)"
}
log "system calls, a fault, signals, traps under pti=on"
status 0 $idx $P getpid
status 0 $idx $P mmap
status 42 $idx $P exit42
status 139 $idx $P segv
status 140 $idx $P signals
status 0 -c 0 $idx $H nt
status 0 -c 0 $idx $P write
status $(rc=0; $H tf > /dev/null 2>&1 || rc=$?; echo $rc) $idx $H tf
status $(rc=0; $H tfsyscall > /dev/null 2>&1 || rc=$?; echo $rc) $idx $H tfsyscall

log "an interrupt in user mode: a spinning program ended by SIGTERM to mcexec"
rm -f /tmp/spin
mcexec $idx $P spin > /tmp/spin 2>&1 &
m=$!
wait_until 30 "the program to start" grep -q spinning /tmp/spin
kill -TERM $m
rc=0; wait_exit $m || rc=$?
[ "$rc" = 143 ] || fail "SIGTERM to mcexec of a spinning program: status $rc, expected 143"

log "threads under pti=on: each CPU's user root gets the process's user half"
cpus=$(lwk_cpus $idx)
BOUND=120
. /scenarios/compare.sh
same "threads 2" /bin/threads 2
expects 0 threads
[ -z "$failed" ] || fail "threads under pti=on differ from Linux:$failed"

calls=$((3000 * $(param fuzz_scale 1)))
log "sysfuzz, $calls calls"
mkdir -p /tmp/ptifuzz
chown 65534:65534 /tmp/ptifuzz
rc=0
(cd /tmp/ptifuzz && trap '' XFSZ IO PIPE && ulimit -f 1024 &&
	exec $H as 65534 mcexec $idx /bin/sysfuzz 84 $calls /tmp/ptifuzz/report) < /dev/null > /tmp/ptifuzz.out 2>&1 || rc=$?
cat /tmp/ptifuzz/report
[ "$rc" = 0 ] || fail "sysfuzz under pti=on ended with status $rc: $(tail -c 300 /tmp/ptifuzz.out)"
expect_lwk_idle $idx "after the programs under pti=on"
run $MT shutdown $idx
run $MT destroy $idx

log "time sharing under pti=on: each context runs user mode on a user root of its own"
new_instance 2-3 0 1
lwk_boot $idx "hidos pti=on time_sharing=2"
$MT kmsg $idx | grep -q "time sharing: 2 contexts per CPU" ||
	fail "the LWK does not share its CPUs under pti=on: $($MT kmsg $idx | grep -i 'time.sharing')"
same "threads-4-shared" /bin/threads 4
expects 0 threads-shared
same "chain-3-shared" /bin/forktest chain 3
expects 0 chain-shared
[ -z "$failed" ] || fail "under pti=on with time_sharing, differ from Linux:$failed"
expect_error $memory 4 "with pti and time_sharing the instance's memory is not in the user root"
expect_lwk_idle $idx "after the programs under pti=on with time_sharing"
lwk_teardown $idx
