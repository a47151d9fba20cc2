# SPDX-License-Identifier: GPL-2.0
# mcexec performs a program's offloaded calls in its own process, so it
# passes on only what the program could do natively (an allowlist): a
# program that aims its calls at mcexec itself (progs/confine.c: pointers
# into mcexec's memory, an iovec with one such entry, a path running off the
# unified range, /proc/self/mem, mcexec's /dev/mcosN descriptor directly, as
# SCM_RIGHTS and through pidfd_getfd, seccomp, prctl, personality) gets the
# errno Linux would give for memory or descriptors it does not have, and
# ENOSYS for calls not on the list, each named by --verbose; mcexec serves
# it to its end and then runs programs as before.
. /scenarios/lib.sh
load_mod
run $MT setup 2 32M@0
new_instance 2 0
lwk_boot $idx hidos

rc=0; mcexec --verbose $idx /bin/confine > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 0 ] || fail "$rc attempt(s) reached mcexec (status $rc)"
grep -q '^mcexec still serves: confined' /tmp/o || fail "mcexec did not serve the program to its end"
grep -q '^mcexec: refused seccomp: it would act on mcexec' /tmp/o || fail "--verbose does not name the refused seccomp"
grep -q '^mcexec: refused read: argument 2 leads outside the program' /tmp/o || fail "--verbose does not say why read was refused"

log "programs run as before"
rc=0; mcexec $idx /bin/lwkprog write > /tmp/o 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q 'hello from write' /tmp/o || fail "lwkprog after confine: rc $rc: $(cat /tmp/o)"
$MT kmsg $idx > /tmp/kmsg
grep -iE 'leak|panic' /tmp/kmsg && fail "the LWK's log reports a leak or a panic"

lwk_teardown $idx
