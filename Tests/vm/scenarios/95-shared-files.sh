# SPDX-License-Identifier: GPL-2.0
# MAP_SHARED mappings of regular files and of POSIX shared memory on the LWK:
# sharedmap runs each case natively and on the LWK, which must print the same
# and exit the same.  The file stays in Linux's page cache, so every view of
# it is one: writes through the mapping seen at once by read(2) and pread(2)
# of another descriptor (no msync needed, msync MS_SYNC 0), pwrite(2) and
# write(2) seen by the mapping, MADV_DONTNEED keeping the bytes; the mapping
# through fork (the children's writes the parent's, a child's munmap not the
# parent's); two processes that each open and map the file; a process-shared
# mutex and semaphores in the file between a parent and its child (futexes in
# Linux's pages, which the LWK maps for the access); python3's multiprocessing
# (two forked workers, a shared Value in /dev/shm under a Lock, which is a
# POSIX semaphore there, Pipes) and its mmap module; 8 MiB in /dev/shm
# (more than one pin's worth) and a mapping at an offset; O_RDONLY mapped
# PROT_READ, with PROT_WRITE and mprotect to write EACCES, O_WRONLY EACCES,
# MAP_PRIVATE writes private; munmap of a middle page (the hole a SIGSEGV,
# filled again with MAP_FIXED) and two mappings of one file; a mapping longer
# than its file (zeros to the end of the last page, SIGBUS past it); a 4 GiB
# sparse file root maps shared ENOMEM (no OOM killer on Linux); 200 map, write,
# unmap cycles.  System V shared memory (Linux's segments): shmat, a child's
# writes through the inherited attachment and a second one, shm_nattch,
# IPC_RMID while attached, SHM_RDONLY, shmdt's errors.  Cross-memory attach:
# process_vm_readv and process_vm_writev between a parent and its child and
# on itself, and their errors; a parent that read its child, then gives up
# root, refused from then on (no yes kept past a change of credentials); with
# a Linux process (mcexec makes the call on its mapping of the program).  A program under mcexec and a Linux process exchange 100
# rounds of values through a shm_open'ed object, polling (no futex), as two
# Linux processes do.  The written file read from Linux afterwards is the
# native run's; the shm objects are unlinked.  Every LWK CPU idle afterwards,
# no leak, panic or bug in the LWK's log.
. /scenarios/lib.sh
P=/bin/sharedmap
# A run that takes longer has hung (a guest under TCG is slow, not that slow).
BOUND=120
# Three LWK CPUs as in 93-fork: a parent and its child at once, and room to spare.
CPUS=3
D=/tmp/sharedmap

# how often an earlier scenario's LWK left frames pinned at its end (a kill -9 of mcexec)
pins_before=$(dmesg | grep -c 'pins of Linux frames')
load_mod
run $MT setup 1-3 160M@0
new_instance 1-3 0
lwk_boot $idx hidos
cpus=$(lwk_cpus $idx)
[ "$cpus" = $CPUS ] || fail "the LWK has $cpus CPUs, the forks need $CPUS"

. /scenarios/compare.sh

shm_mount
rm -rf $D $D-native /sharedmap
mkdir -p $D $D-native /sharedmap

# written_as_native DIR: the file shared-write left in DIR, as Linux reads it,
# is the one a native run left (cmp stops at the first difference)
written_as_native() {
	od -A d -t x1 -j 4092 -N 8 "$1/sharedmap-shared-write"
	[ "$(stat -c %s "$1/sharedmap-shared-write")" = 12288 ] &&
		cmp "$D-native/sharedmap-shared-write" "$1/sharedmap-shared-write"
}

log "writes through the mapping, write(2) to the file: each seen by the other at once"
# the native run's file, for the LWK run's to be compared with
bounded $BOUND /tmp/native.out $P shared-write $D-native
[ "$rc" = 0 ] || { cat /tmp/native.out; fail "shared-write exited $rc natively"; }
same "shared-write" $P shared-write $D
expects 0 shared-write
written_as_native $D || failed="$failed shared-write-file"
# the initramfs root: rootfs, ramfs or tmpfs as the kernel made it, not /tmp's tmpfs
same "shared-write on the root" $P shared-write /sharedmap
expects 0 shared-write-on-the-root
written_as_native /sharedmap || failed="$failed shared-write-root-file"
same "shared-see-linux" $P shared-see-linux $D
expects 0 shared-see-linux
same "readonly" $P readonly $D
expects 0 readonly
same "partial-unmap" $P partial-unmap $D
expects 0 partial-unmap
same "past-end" $P past-end $D
expects 0 past-end
expect_idle "after the single process cases"

log "through fork; two processes mapping the file each on its own; System V shared memory"
same "shared-fork" $P shared-fork $D
expects 0 shared-fork
same "two-procs" $P two-procs $D
expects 0 two-procs
same "psync" $P psync $D
expects 0 psync
same "sysv" $P sysv -
expects 0 sysv
same "cma" $P cma -
expects 0 cma
same "cma-drop" $P cma-drop -
expects 0 cma-drop
# a native cma-peer, whose memory both runs read and write (and restore)
rm -f /tmp/cma-peer
$P cma-peer /tmp/cma-peer > /tmp/cma-peer.out 2>&1 < /dev/null &
peer=$!
tries=0
until [ -e /tmp/cma-peer ] || [ $tries -ge 100 ]; do sleep 0.1; tries=$((tries + 1)); done
same "cma-linux" $P cma-linux /tmp/cma-peer
expects 0 cma-linux
kill $peer 2>/dev/null; wait $peer 2>/dev/null
expect_idle "after the cases of two processes"

log "python3's multiprocessing: two workers, a shared Value under a Lock, Pipes, a shared mmap"
same "python3 multiprocessing" /usr/bin/python3 /usr/lib/mcos-test/mpwork.py $D
expects 0 python3-multiprocessing
expect_idle "after python3's workers"

log "8 MiB in /dev/shm; 200 cycles of map, write, unmap"
same "large" $P large /dev/shm
expects 0 large
same "cycles 200" $P cycles $D 200
expects 0 cycles-200
expect_idle "after large and cycles"

# shm_pair RUN [mcexec IDX]: sharedmap shm (under mcexec if given) and a
# native shm-peer started first in the background, through the object
# /sharedmap-RUN; the outputs in /tmp/shm-RUN.main and .peer, the statuses in
# main_rc and peer_rc.  Each run has a name of its own: a run that failed
# before its unlink leaves no object the next one's O_EXCL would meet.
shm_pair() {
	local run=$1 peer
	shift
	rm -f /dev/shm/sharedmap-$run
	$P shm-peer /sharedmap-$run > /tmp/shm-$run.peer 2>&1 < /dev/null &
	peer=$!
	bounded $BOUND /tmp/shm-$run.main "$@" $P shm /sharedmap-$run
	main_rc=$rc
	# the peer gives up by itself after 30 s without its partner
	peer_rc=0
	wait_exit $peer 60 || peer_rc=$?
	echo "== shm $run: sharedmap shm $main_rc, the native peer $peer_rc"
	cat /tmp/shm-$run.main /tmp/shm-$run.peer
	if [ -e /dev/shm/sharedmap-$run ]; then
		echo "/dev/shm/sharedmap-$run is still there"
		rm -f /dev/shm/sharedmap-$run
		failed="$failed shm-$run-unlink"
	fi
}

log "POSIX shared memory: 100 rounds with a Linux process"
shm_pair native
shm_pair lwk mcexec $idx
diff /tmp/shm-native.main /tmp/shm-lwk.main || failed="$failed shm"
diff /tmp/shm-native.peer /tmp/shm-lwk.peer || failed="$failed shm-peer"
[ "$main_rc $peer_rc" = "0 0" ] || { $MT kmsg $idx | tail -n 15; failed="$failed shm-status"; }

log "pinned pages count against RLIMIT_MEMLOCK: a user with 1 MiB of it, natively unbounded"
mkdir -p $D-nobody
chown 65534:65534 $D-nobody
rc=0
(ulimit -l 1024 && exec /bin/hostile as 65534 mcexec $idx $P large $D-nobody) > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ $rc = 1 ] && grep -q '^FAILED mmap: EAGAIN' /tmp/o || failed="$failed memlock-large"
$MT kmsg $idx | grep -q "count against mcexec's RLIMIT_MEMLOCK, which this mapping would pass: EAGAIN" ||
	failed="$failed memlock-log"
# 200 times 16 pages pinned, each time given back: within 1 MiB at every moment
rc=0
(ulimit -l 1024 && exec /bin/hostile as 65534 mcexec $idx $P cycles $D-nobody 200) > /tmp/o 2>&1 || rc=$?
cat /tmp/o
[ $rc = 0 ] || failed="$failed memlock-cycles"
rm -rf $D-nobody

log "root maps a 4 GiB sparse file shared (CAP_IPC_LOCK: no RLIMIT_MEMLOCK): ENOMEM, not Linux's OOM killer"
# on a tmpfs larger than the guest's memory, so that memory runs out before the file system
rm -rf /tmp/sparse-fs
mkdir /tmp/sparse-fs
run mount -t tmpfs -o size=8G tmpfs /tmp/sparse-fs
rc=0
mcexec $idx /usr/bin/python3 -c '
import mmap
with open("/tmp/sparse-fs/sparse", "w+b") as f:
    f.truncate(4 << 30)
    try:
        mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        print("mapped")
    except OSError as e:
        print("errno", e.errno)' > /tmp/o 2>&1 || rc=$?
run umount /tmp/sparse-fs
rmdir /tmp/sparse-fs
cat /tmp/o
[ $rc = 0 ] && grep -qx 'errno 12' /tmp/o || failed="$failed sparse-enomem"
$MT kmsg $idx | grep -q "would leave Linux less than an eighth of its memory: ENOMEM" || failed="$failed sparse-log"
! dmesg | grep -q 'invoked oom-killer' || failed="$failed sparse-oom"

log "kill -9 of mcexec while its program maps a file: the frames stay pinned until the LWK ends"
mcexec $idx $P hold $D > /tmp/hold.out 2>&1 &
holder=$!
waited=0
until grep -q '^hold: 4 pages mapped' /tmp/hold.out || [ $waited -ge 60 ]; do sleep 1; waited=$((waited + 1)); done
kill -9 $holder
wait $holder
expect_idle "after the kill"
$MT kmsg $idx | grep -q 'its proxy is gone: 4 Linux frames stay pinned until the LWK shuts down' ||
	failed="$failed pinned-after-kill"
rm -f $D/sharedmap-hold

log "what the runs left: shared-write's files, nothing in /dev/shm"
ls -l $D /dev/shm
[ "$(ls -A $D)" = sharedmap-shared-write ] && [ -z "$(ls -A /dev/shm)" ] || failed="$failed leftovers"

log "every LWK CPU idle"
expect_idle "at the end"

log "the LWK's log"
$MT kmsg $idx > /tmp/kmsg
tail -n 20 /tmp/kmsg
# the LWK says so once a process when it refuses a file mapping Linux makes (ENODEV)
grep 'mmap of a file.*ENODEV' /tmp/kmsg && failed="$failed refused-in-the-log"
grep -iE 'leak|panic' /tmp/kmsg && fail "the LWK's log reports a leak or a panic"
grep -E 'BUG' /tmp/kmsg && fail "the LWK's log reports a bug"
[ -z "$failed" ] || fail "differences between Linux and the LWK (or wrong status):$failed"

rm -rf $D $D-native /sharedmap
shm_unmount
lwk_teardown $idx
# Each frame went back to Linux as its last mapping went, but those of the
# program killed with its proxy: they went at the LWK's end.
dmesg | grep 'pins of Linux frames' > /tmp/pins
cat /tmp/pins
[ "$(wc -l < /tmp/pins)" = $((pins_before + 1)) ] && tail -n 1 /tmp/pins | grep -q 'still held 4 pins of Linux frames at its end' ||
	fail "the LWK's end did not release exactly the 4 frames of the killed program"
