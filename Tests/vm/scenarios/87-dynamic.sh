# SPDX-License-Identifier: GPL-2.0
# Dynamic programs on the LWK: mcexec loads ld.so beside the program (AT_BASE,
# AT_PHDR, AT_ENTRY, AT_RANDOM checked from inside), ld.so maps the libraries
# with mmap of files (MAP_PRIVATE: the LWK's frames, filled once by the proxy),
# and dlopen works; a #! script names python3.  Debian's own programs (staged with their libraries by
# stage-dynamic.sh at their paths: /usr/bin, since the guest's /bin is
# busybox's) and dynprog run natively and on the LWK and must print the same
# and exit the same; lines starting with "random" (AT_RANDOM) and "vdso"
# (Linux gives one, the LWK none) are compared apart.  Then mmap's errors,
# including what the LWK does not map (devices), and a file mapped MAP_SHARED.
. /scenarios/lib.sh
D=/bin/dynprog
load_mod
lwk_instance 160M@0

mask() { sed -e 's/^random .*/random (masked)/' -e 's/^vdso .*/vdso (masked)/' "$1"; }
# same NAME ARGS...: natively and on the LWK, same output and status
same() {
	name=$1
	shift
	nrc=0; "$@" > /tmp/native.out 2>&1 < /dev/null || nrc=$?
	lrc=0; mcexec $idx "$@" > /tmp/lwk.out 2>&1 < /dev/null || lrc=$?
	echo "== $name: native $nrc, LWK $lrc"
	cat /tmp/lwk.out
	mask /tmp/native.out > /tmp/native.m
	mask /tmp/lwk.out > /tmp/lwk.m
	diff /tmp/native.m /tmp/lwk.m || { $MT kmsg $idx | tail -n 15; fail "$name: output differs between Linux and the LWK"; }
	[ "$nrc" = "$lrc" ] || fail "$name: exit status $lrc on the LWK, $nrc natively"
}

log "Debian's dynamic programs"
same "true" /usr/bin/true
same "echo" /usr/bin/echo hello 'two words'
same "env" /usr/bin/env
same "ls /" /usr/bin/ls /
same "ls -l" /usr/bin/ls -l /scenarios/lib.sh
same "ls of nothing" /usr/bin/ls /nonexistent
[ "$lrc" = 2 ] || fail "ls of a missing file: status $lrc on the LWK, expected 2"
same "md5sum" /usr/bin/md5sum /scenarios/lib.sh /bin/dynprog
same "python3" /usr/bin/python3 -c 'print(sum(range(10)))'
grep -qx 45 /tmp/lwk.out || fail "python3 on the LWK printed $(cat /tmp/lwk.out)"
printf '#!/usr/bin/python3 -I\nimport sys\nprint(sys.argv[1:], sys.flags.isolated)\n' > /tmp/script.py
chmod +x /tmp/script.py
same "a python3 #! script" /tmp/script.py one 'two words'

log "auxv, dlopen, file mappings"
same "auxv" $D auxv
grep -q '^vdso absent$' /tmp/lwk.out || fail "the LWK gave a vDSO (AT_SYSINFO_EHDR)"
first=$(grep '^random ' /tmp/lwk.out)
mcexec $idx $D auxv > /tmp/lwk2.out 2>&1 || fail "auxv again: status $?"
second=$(grep '^random ' /tmp/lwk2.out)
[ -n "$first" ] && [ "$first" != "$second" ] || fail "AT_RANDOM is the same in two runs: $first"
same "dlopen" $D dlopen
same "filemap" $D filemap /tmp/dynprog.data
same "badmap" $D badmap /tmp

log "what the LWK does not map: ENODEV and one log line"
rc=0; mcexec $idx $D devmap /dev/mcos$idx > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 0 ] && [ "$(grep -c ': ENODEV$' /tmp/o)" = 2 ] || fail "mmap of /dev/mcos$idx on the LWK: rc $rc"
# a file's shared pages are Linux's own (95-shared-files tests them further)
same "sharedmap" $D sharedmap /scenarios/lib.sh

log "a file truncated and rewritten while the LWK maps it: zeros or bytes, never a crash"
head -c 12288 /dev/urandom > /tmp/race
(while :; do : > /tmp/race; head -c 9000 /dev/urandom > /tmp/race; done) &
writer=$!
rc=0; mcexec $idx $D maprace /tmp/race 2000 > /tmp/o 2>&1 || rc=$?
kill $writer; wait $writer 2>/dev/null || true
cat /tmp/o
[ "$rc" = 0 ] && grep -q '^maprace: 2000 mappings read' /tmp/o || fail "mmap of a file under truncation: rc $rc"

expect_lwk_idle $idx "after the dynamic programs"
lwk_teardown $idx
