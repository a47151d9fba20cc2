# SPDX-License-Identifier: GPL-2.0
# A caller that anyone may be cannot stall the module: uid 65534 makes
# every query (GET_INFO, QUERY_CPUS/MEM/NODE, STATUS, KMSG_READ, read())
# with its buffer on a userfaultfd page that is never served, so each
# waits for ever in a copy to or from user memory.  Meanwhile root's
# queries, changes and the teardown of a running LWK all go through.
. /scenarios/lib.sh
load_mod
uffd=/proc/sys/vm/unprivileged_userfaultfd
old_uffd=$(cat $uffd)
echo 1 > $uffd || fail "cannot allow unprivileged userfaultfd"
lwk_instance
run $MT reserve-mem 1 8M
# with the log open to everyone, KMSG_READ and read() copy out too
echo 0 > /sys/module/mcos/parameters/kmsg_restrict 2>/dev/null || log "no kmsg_restrict parameter"

mcos-hostile -u 65534 stall $idx > /tmp/stall 2>&1 &
staller=$!
trap 'kill -9 $staller 2>/dev/null; echo $old_uffd > $uffd' EXIT
wait_until 60 "the calls to stall" grep -q '^ready' /tmp/stall
cat /tmp/stall
grep -q 'stalled in a user copy' /tmp/stall || fail "no call stalled: the check would prove nothing"

# within: a root command must finish in 10 s (TCG is slow, a stall is for
# ever); one that waits for the module's lock cannot even be killed, so it
# runs in the background, and the trap's kill of the staller frees it
within() {
	echo "+ $*"
	"$@" > /tmp/within 2>&1 &
	cmd=$!
	wait_until 20 "'$*' while uid 65534 stalls in the module" exited $cmd
	wait $cmd || { cat /tmp/within; fail "'$*' exited $?"; }
	cat /tmp/within
}
within $MT info
within $MT query
within $MT node 1
within $MT status $idx
within $MT kmsg $idx
within $MT ping $idx
within $MT reserve-mem 1 4M
within $MT shutdown $idx
within $MT destroy $idx
within $MT release-cpus all
within $MT release-mem all
kill -9 $staller
wait $staller 2>/dev/null
trap - EXIT
echo $old_uffd > $uffd
unload_mod
