# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench` (kernel argument mcos.bench): in one run,
# the median cost of one system call timed from inside a static program
# (lwkprog bench N: N calls, each timed with clock_gettime), natively and
# on the LWK through mcexec: umask (offloaded from the LWK to mcexec) and
# getpid (served by the LWK itself).  Prints "BENCH key value" lines.
. /scenarios/lib.sh
N=${1:-20000}
load_mod
run $MT setup 2-3 64M@0
new_instance 2-3 0
lwk_boot $idx hidos > /dev/null
# warm both paths, then measure
/bin/lwkprog bench 1000 > /dev/null
mcexec $idx /bin/lwkprog bench 1000 > /dev/null || fail "mcexec lwkprog bench exited $?"
/bin/lwkprog bench $N > /tmp/native || fail "native bench failed"
mcexec $idx /bin/lwkprog bench $N > /tmp/lwk || fail "LWK bench failed"
echo "BENCH calls $N"
sed 's/^/BENCH native_/' /tmp/native
sed 's/^/BENCH lwk_/' /tmp/lwk
run $MT shutdown $idx > /dev/null
