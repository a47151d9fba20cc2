# SPDX-License-Identifier: GPL-2.0
# What the module tells everyone: the LWK's log (pids, fault addresses,
# register dumps) needs CAP_SYSLOG, like dmesg with dmesg_restrict, unless
# root turns mcos.kmsg_restrict off; physical addresses of reserved memory
# are shown only to CAP_SYS_ADMIN.  mcprov says so to a user who asks.
. /scenarios/lib.sh
load_mod
U="$MT -u 65534"
restrict=/sys/module/mcos/parameters/kmsg_restrict
idx=$($MT create) || fail "create failed"
run $U -e EPERM kmsg $idx
run $U -e EPERM read $idx
$MT kmsg $idx | grep -q "instance $idx created" || fail "root cannot read the kmsg"
cat /dev/mcos$idx | grep -q "instance $idx created" || fail "root cannot read() the kmsg"
[ "$(cat $restrict)" = Y ] || fail "kmsg_restrict is '$(cat $restrict)' by default"

echo 0 > $restrict || fail "root cannot turn kmsg_restrict off"
$U kmsg $idx | grep -q "instance $idx created" || fail "uid 65534 cannot read the kmsg with kmsg_restrict off"
$U read $idx | grep -q "instance $idx created" || fail "uid 65534 cannot read() the kmsg with kmsg_restrict off"
echo 1 > $restrict
run $U -e EPERM kmsg $idx

run $MT reserve-mem 1 8M
$MT query > /tmp/root
$U query > /tmp/user
grep phys /tmp/root | grep -qv 'phys 0 ' || fail "root sees no physical addresses: $(cat /tmp/root)"
grep -q phys /tmp/user || fail "uid 65534 sees no chunks: $(cat /tmp/user)"
grep phys /tmp/user | grep -v 'phys 0 ' && fail "uid 65534 sees physical addresses"
log "chunks as uid 65534 sees them: $(grep -c 'phys 0 ' /tmp/user) with phys 0"

mkdir -p /etc
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' > /etc/passwd
echo 'nogroup:x:65534:' > /etc/group
rc=0
su -s /bin/sh nobody -c "mcprov kmsg --instance $idx" > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "mcprov kmsg as nobody exited $rc, expected 1"
grep -q 'kmsg needs root (or CAP_SYSLOG)' /tmp/o || fail "mcprov kmsg as nobody does not say why"
grep -q 'mcos.kmsg_restrict' /tmp/o || fail "mcprov kmsg as nobody does not name mcos.kmsg_restrict"
su -s /bin/sh nobody -c "mcprov status" > /tmp/o 2>&1
grep -q 'kmsg needs root' /tmp/o && fail "mcprov status as nobody complains about the kmsg"

run $MT destroy $idx
run $MT release-mem all
unload_mod
