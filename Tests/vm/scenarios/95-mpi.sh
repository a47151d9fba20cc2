# SPDX-License-Identifier: GPL-2.0
# MPI on the LWK: Debian's MPICH, unmodified and dynamic, its own mpiexec
# (Hydra) on Linux starting `mcexec -n 2` for each rank; then Open MPI's
# mpirun (orterun) the same way.  On 2 LWK CPUs booted with time_sharing=4
# (the libraries start threads of their own in each rank: UCX's under MPICH,
# PMIx's and libevent's under Open MPI, which share the rank's CPU):
# allreduce, alltoall and an 8 MiB message give the same results as the same
# job run natively; each rank runs on an LWK CPU of its own (Hydra's
# MPI_LOCALRANKID: rank r on LWK CPU r).  A rank that dies ends the job with
# a failure.  Open MPI's job gives the same results, rank r on LWK CPU r by
# OMPI_COMM_WORLD_LOCAL_RANK.  Then MPICH's job with three ranks on 3 LWK
# CPUs: the native results, rank r on LWK CPU r.  The LWK is idle and clean
# afterwards.
. /scenarios/lib.sh
M=/bin/mpitest
MPIEXEC=/usr/bin/mpiexec.hydra

load_mod
lwk_instance_with "hidos time_sharing=4" 768M@0
[ "$(lwk_cpus $idx)" = 2 ] || fail "the LWK has $(lwk_cpus $idx) CPUs, this scenario wants 2"
shm_mount	# MPICH's shared memory between the ranks of a node

log "natively: mpiexec -n 2 $M"
rc=0; $MPIEXEC -n 2 $M > /tmp/native.out 2> /tmp/native.err || rc=$?
[ "$rc" = 0 ] || fail "the native job ended with status $rc: $(cat /tmp/native.err)"
sort /tmp/native.out > /tmp/native.sorted
[ "$(grep -c '^rank [01] of 2: allreduce 3, ' /tmp/native.sorted)" = 2 ] ||
	fail "the native job printed: $(cat /tmp/native.out /tmp/native.err)"

log "on the LWK: mpiexec -n 2 mcexec -n 2 $M"
rc=0; $MPIEXEC -n 2 mcexec -n 2 $idx $M > /tmp/lwk.out 2> /tmp/lwk.err || rc=$?
[ "$rc" = 0 ] || { $MT kmsg $idx | tail -n 20; fail "the job on the LWK ended with status $rc: $(cat /tmp/lwk.err)"; }
sort /tmp/lwk.out > /tmp/lwk.sorted
cmp -s /tmp/native.sorted /tmp/lwk.sorted ||
	fail "the LWK's results differ from Linux's: $(cat /tmp/lwk.out /tmp/lwk.err)"
expect_lwk_idle $idx "after the job"

log "each rank on an LWK CPU of its own"
rc=0; $MPIEXEC -n 2 mcexec -n 2 $idx $M where > /tmp/lwk.out 2> /tmp/lwk.err || rc=$?
[ "$rc" = 0 ] || fail "the job on the LWK ended with status $rc: $(cat /tmp/lwk.err)"
grep -qx "rank 0 on cpu 0" /tmp/lwk.out && grep -qx "rank 1 on cpu 1" /tmp/lwk.out ||
	fail "the ranks did not run on LWK CPUs 0 and 1: $(cat /tmp/lwk.out /tmp/lwk.err)"
expect_lwk_idle $idx "after the job"

log "a rank that dies ends the job"
rc=0
$MPIEXEC -n 2 mcexec -n 2 $idx /bin/sh -c "[ \"\$PMI_RANK\" = 1 ] && kill -9 \$\$; exec $M" > /tmp/lwk.out 2> /tmp/lwk.err || rc=$?
[ "$rc" != 0 ] || fail "the job of a killed rank succeeded: $(cat /tmp/lwk.out /tmp/lwk.err)"
wait_until 30 "the job's processes to go" sh -c '! pidof mcexec > /dev/null'
expect_lwk_idle $idx "after a rank died"

log "Open MPI: the same job natively and on the LWK, its own mpirun"
# Open MPI's daemons talk over TCP on the loopback, which this guest leaves down,
# and name nodes by host name, which it leaves "(none)" (given back at the end).
ip link set lo up 2> /dev/null || ifconfig lo up
host_before=$(hostname)
hostname mcos-guest
# One node, no ssh: the launcher that starts its daemons itself.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated
ORTERUN="/usr/bin/orterun --oversubscribe -n 2"
rc=0; $ORTERUN $M-openmpi > /tmp/ompi-native.out 2> /tmp/ompi-native.err || rc=$?
[ "$rc" = 0 ] || fail "the native Open MPI job ended with status $rc: $(cat /tmp/ompi-native.out /tmp/ompi-native.err)"
sort /tmp/ompi-native.out | cmp -s - /tmp/native.sorted ||
	fail "Open MPI's native results differ from MPICH's: $(cat /tmp/ompi-native.out)"
rc=0; $ORTERUN mcexec -n 2 $idx $M-openmpi where > /tmp/ompi-lwk.out 2> /tmp/ompi-lwk.err || rc=$?
[ "$rc" = 0 ] || { $MT kmsg $idx | tail -n 20; fail "the Open MPI job on the LWK ended with status $rc: $(cat /tmp/ompi-lwk.out /tmp/ompi-lwk.err)"; }
grep -qx "rank 0 on cpu 0" /tmp/ompi-lwk.out && grep -qx "rank 1 on cpu 1" /tmp/ompi-lwk.out ||
	fail "Open MPI's ranks did not run on LWK CPUs 0 and 1: $(cat /tmp/ompi-lwk.out /tmp/ompi-lwk.err)"
grep -v '^rank . on cpu' /tmp/ompi-lwk.out | sort | cmp -s - /tmp/native.sorted ||
	fail "the LWK's Open MPI results differ from Linux's: $(cat /tmp/ompi-lwk.out /tmp/ompi-lwk.err)"
expect_lwk_idle $idx "after the Open MPI job"
hostname "$host_before"

lwk_log_clean $idx "after two ranks"
lwk_teardown $idx

log "three ranks: mpiexec -n 3 mcexec -n 3 on 3 LWK CPUs"
# natively first, while Linux has all four CPUs (MPICH's ranks poll)
rc=0; $MPIEXEC -n 3 $M > /tmp/native3.out 2> /tmp/native3.err || rc=$?
[ "$rc" = 0 ] || fail "the native job of 3 ended with status $rc: $(cat /tmp/native3.err)"
sort /tmp/native3.out > /tmp/native3.sorted
[ "$(grep -c '^rank [012] of 3: allreduce 6, ' /tmp/native3.sorted)" = 3 ] ||
	fail "the native job of 3 printed: $(cat /tmp/native3.out /tmp/native3.err)"
load_mod
run $MT setup 1-3 768M@0
new_instance 1-3 0
lwk_boot $idx "hidos time_sharing=4"
[ "$(lwk_cpus $idx)" = 3 ] || fail "the LWK has $(lwk_cpus $idx) CPUs, this part wants 3"
rc=0; $MPIEXEC -n 3 mcexec -n 3 $idx $M > /tmp/lwk3.out 2> /tmp/lwk3.err || rc=$?
[ "$rc" = 0 ] || { $MT kmsg $idx | tail -n 20; fail "the job of 3 on the LWK ended with status $rc: $(cat /tmp/lwk3.err)"; }
sort /tmp/lwk3.out | cmp -s - /tmp/native3.sorted ||
	fail "the LWK's results of 3 differ from Linux's: $(cat /tmp/lwk3.out /tmp/lwk3.err)"
rc=0; $MPIEXEC -n 3 mcexec -n 3 $idx $M where > /tmp/lwk3.out 2> /tmp/lwk3.err || rc=$?
[ "$rc" = 0 ] || fail "the job of 3 on the LWK ended with status $rc: $(cat /tmp/lwk3.err)"
for r in 0 1 2; do
	grep -qx "rank $r on cpu $r" /tmp/lwk3.out || fail "rank $r did not run on LWK CPU $r: $(cat /tmp/lwk3.out /tmp/lwk3.err)"
done
$MT ping $idx | grep -q '^ping sent 3 answered 3 ' || fail "the 3 LWK CPUs are not idle after the job of 3"

shm_unmount
lwk_log_clean $idx "at the end"
lwk_teardown $idx
