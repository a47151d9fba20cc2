# SPDX-License-Identifier: GPL-2.0
# IKC: a ping from Linux over each LWK CPU's channel is answered by that CPU
# (2 CPUs, repeated); no ping once the LWK is shut down.
. /scenarios/lib.sh
load_mod
run $MT setup 2-3 32M@0
new_instance 2-3 0
run $MT -e ENOTCONN ping $idx
lwk_boot $idx hidos
for i in 1 2 3 4 5; do
	$MT ping $idx | tee /tmp/p
	grep -q '^ping sent 2 answered 2 ' /tmp/p || fail "ping $i: $(cat /tmp/p)"
done
run $MT -u 65534 -e EPERM ping $idx
run $MT shutdown $idx
run $MT -e ENOTCONN ping $idx
run $MT destroy $idx
run $MT release-cpus all
run $MT release-mem all
unload_mod
