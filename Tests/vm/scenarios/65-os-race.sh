# SPDX-License-Identifier: GPL-2.0
# Instances created and destroyed while other processes open, query and
# read their device, and CPUs reserved and released while others query:
# nothing may crash or complain (/init checks dmesg), and the module ends
# up holding nothing.
. /scenarios/lib.sh
load_mod
N=150
(
	i=0
	while [ $i -lt $N ]; do
		$MT create > /dev/null
		$MT destroy 0 > /dev/null
		i=$((i + 1))
	done
) &
creator=$!
(
	i=0
	while [ $i -lt $N ]; do
		$MT status 0 > /dev/null 2>&1
		cat /dev/mcos0 > /dev/null 2>&1
		$MT -u 65534 kmsg 0 > /dev/null 2>&1
		i=$((i + 1))
	done
) &
reader=$!
(
	i=0
	while [ $i -lt 20 ]; do
		$MT reserve-cpus 3 > /dev/null || exit 1
		$MT release-cpus 3 > /dev/null || exit 1
		i=$((i + 1))
	done
) &
cpus=$!
i=0
while [ $i -lt $N ]; do
	$MT query > /dev/null || fail "query failed during the race"
	i=$((i + 1))
done
wait $creator || fail "create/destroy loop failed"
wait $reader
wait $cpus || fail "reserve/release loop failed"
$MT destroy 0 > /dev/null 2>&1
$MT info | tee /tmp/i
grep -q 'nr_os 0 reserved_cpus 0 reserved_bytes 0' /tmp/i || fail "module still holds something"
[ "$(online_cpus)" = 0-3 ] || fail "online CPUs after the race: $(online_cpus)"
unload_mod
