# SPDX-License-Identifier: GPL-2.0
# mcprov teardown from whatever the module holds, without a state record:
# an instance with CPUs and memory assigned and an image loaded. While a
# program holds the instance's device (as mcexec's proxy will), teardown
# refuses and changes nothing; --force ends the program and gives back
# everything. A second teardown has nothing to do.
. /scenarios/lib.sh
load_mod
on0=$(online_cpus); free0=$(node_free 0); free1=$(node_free 1)

run $MT setup 2-3 64M@1 8M@0
new_instance 2-3 1 0
run $MT load $idx /bin/mcos-test

# a program holding /dev/mcos0 open
sleep 60 < /dev/mcos$idx &
holder=$!
wait_until 10 "sleep to open /dev/mcos$idx" holds $holder /dev/mcos$idx

rc=0; mcprov teardown --lock-timeout 5 > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ "$rc" = 1 ] || fail "teardown with a program running exited $rc, expected 1"
grep -q "programs are running on the LWK (pid $holder sleep)" /tmp/o || fail "the refusal does not name the program"
grep -q 'mcprov teardown --force' /tmp/o || fail "the refusal does not give the remedy"
[ "$(online_cpus)" = 0-1 ] || fail "a refused teardown changed the CPUs"
mcprov module query | grep -q "os $idx: loaded" || fail "a refused teardown destroyed the instance"

rc=0; mcprov status > /tmp/s 2>&1 || rc=$?
cat /tmp/s
[ "$rc" = 2 ] || fail "status without a record exited $rc, expected 2 (drift)"
grep -q 'No state record: what follows is rebuilt from the kernel module' /tmp/s || fail "status does not say the record is missing"

run mcprov teardown --force
kill -0 $holder 2>/dev/null && fail "teardown --force left the program running"
wait $holder 2>/dev/null
[ "$(online_cpus)" = "$on0" ] || fail "CPUs after teardown: $(online_cpus), expected $on0"
expect_near "node 1 free after teardown" "$(node_free 1)" "$free1" $((1 * MiB))
expect_near "node 0 free after teardown" "$(node_free 0)" "$free0" $((16 * MiB))
mcprov module query > /tmp/q
grep -q 'Reserved CPUs: none' /tmp/q && grep -q 'OS instances: none' /tmp/q && ! grep -q 'reserved in' /tmp/q ||
	{ cat /tmp/q; fail "the module still holds something"; }

mcprov teardown > /tmp/o || fail "a second teardown failed"
grep -q 'nothing to tear down' /tmp/o || fail "a second teardown did something"
rc=0; mcprov status > /dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "status after teardown exited $rc, expected 3"
unload_mod
sync
sleep 2
