# SPDX-License-Identifier: GPL-2.0
# Ownership model: /dev/mcos-ctl is 0644 root, /dev/mcosN 0666 root (anyone
# may run programs there with mcexec); anyone may query, but the LWK's log
# needs CAP_SYSLOG (51-kmsg-restrict); changing anything needs
# CAP_SYS_ADMIN (EPERM otherwise).
. /scenarios/lib.sh
load_mod
U="$MT -u 65534"
[ "$(stat -c '%a %u' /dev/mcos-ctl)" = "644 0" ] || fail "/dev/mcos-ctl mode $(stat -c '%a %u' /dev/mcos-ctl)"

for cmd in "reserve-cpus 2" "release-cpus all" "reserve-mem 1 4M" "release-mem all" \
	   "create" "destroy 0" "setup 2 4M@1"; do
	run $U -e EPERM $cmd
done
[ "$(online_cpus)" = 0-3 ] || fail "a non-root caller changed the online CPUs"
run $U info
run $U query
run $U node 1

idx=$($MT create) || fail "create failed"
[ "$idx" = 0 ] || fail "first instance is $idx, expected 0"
[ "$(stat -c '%a %u' /dev/mcos0)" = "666 0" ] || fail "/dev/mcos0 mode $(stat -c '%a %u' /dev/mcos0)"
for cmd in "assign-cpus 0 2" "unassign-cpus 0 all" "assign-mem 0 1 all" \
	   "unassign-mem 0 all" "load 0 /bin/mcos-test" "kargs 0 hidos" \
	   "boot 0" "shutdown 0" "kmsg-clear 0"; do
	run $U -e EPERM $cmd
done
run $U status 0
run $U -e EPERM kmsg 0
run $U -e EPERM read 0
cat /dev/mcos0 > /tmp/k || fail "root cannot read /dev/mcos0"
grep -q 'instance 0 created' /tmp/k || fail "kmsg read by root lacks the create line"
run $MT destroy 0
unload_mod
