# SPDX-License-Identifier: GPL-2.0
# Bench part "mpi" (plain TCG: guest time is host time): an OSU-style
# ping-pong between two ranks of Debian's MPICH, 8 bytes (half a round trip)
# and 4 MiB (bandwidth), first natively with each rank bound to one of Linux
# CPUs 2-3, then as `mpiexec -n 2 mcexec -n 2` on the LWK, which gets the
# same two vCPUs (CPUs 2-3) and gives each rank one of them, then there again
# with UCX's cross-memory transport off (UCX_TLS=^cma); 15 batches each, the
# report takes the medians. Then the copy that transport makes, alone:
# process_vm_readv of 8 bytes and of 4 MiB from a forked child (procbench
# cma), natively on CPU 2 and on the LWK.
set -o pipefail
shm_mount	# MPICH's shared memory between the ranks
MPIEXEC=/usr/bin/mpiexec.hydra
bound=300

timeout $bound $MPIEXEC -n 2 sh -c 'exec taskset -c $((2 + MPI_LOCALRANKID)) /bin/mpitest pingpong' |
	sed 's/^/native_/' >> $OUT/mpi.txt || fail "the native ping-pong failed"
timeout $bound taskset -c 2 /bin/procbench cma 15 | sed 's/^/native_/' >> $OUT/mpi.txt ||
	fail "the native process_vm_readv failed"
load_mod
apply_profile
timeout $bound $MPIEXEC -n 2 mcexec -n 2 /bin/mpitest pingpong | sed 's/^/lwk_/' >> $OUT/mpi.txt ||
	fail "the ping-pong on the LWK failed: $(mcprov kmsg 2>&1 | tail -n 5)"
# the same with UCX's cross-memory transport off: large messages through shared memory
timeout $bound env UCX_TLS=^cma $MPIEXEC -n 2 mcexec -n 2 /bin/mpitest pingpong | sed 's/^/lwk_nocma_/' >> $OUT/mpi.txt ||
	fail "the ping-pong on the LWK without CMA failed: $(mcprov kmsg 2>&1 | tail -n 5)"
timeout $bound mcexec /bin/procbench cma 15 | sed 's/^/lwk_/' >> $OUT/mpi.txt ||
	fail "process_vm_readv on the LWK failed: $(mcprov kmsg 2>&1 | tail -n 5)"
mcprov kmsg > $OUT/lwk-kmsg.txt 2>&1
teardown_profile
