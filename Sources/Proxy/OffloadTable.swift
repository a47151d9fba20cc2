import Kernel

/// Every x86-64 system call and what mcexec does with it when the LWK passes it on: an
/// allowlist. A call performed here runs in mcexec's process, with mcexec's
/// credentials, descriptors and memory, so it is on the list only when its effect is
/// the one the program would have had natively: its pointers checked against the
/// program's memory, its descriptors against mcexec's own, its commands against those
/// known to be harmless (`CommandTables`). Everything else is refused with ENOSYS, as
/// by a kernel without the call. Sizes are x86-64 Linux's (`struct stat` 144 bytes, …).
enum OffloadTable {
    static let rules: [Syscall: CallRule] = {
        var rules: [Syscall: CallRule] = [:]
        for group in [files, descriptors, directories, attributes, sockets, time, signals, identity, scheduling, ipc, process, memory, host] {
            for (call, rule) in group {
                precondition(rules[call] == nil, "\(call.name) is listed twice")
                rules[call] = rule
            }
        }
        return rules
    }()

    /// The calls whose result is a new descriptor opened by path: mcexec looks at what
    /// it is before handing it over (`ProcessMemoryFile`).
    static let opensByPath: Set<Syscall> = [.open, .openat, .openat2, .creat]

    private typealias Group = [(Syscall, CallRule)]
    private static let fd = ArgumentRule.descriptor, v = ArgumentRule.value, path = ArgumentRule.path
    /// process_vm_readv and process_vm_writev alike: (pid, local iovecs, count, remote
    /// iovec array, count, flags).
    private static let crossMemory = CallRule.otherProcess(target: 0, [v, .iovecs(count: 2), v, .bytes(.elements(4, size: 16)), v, v])

    /// Reading and writing files.
    private static let files: Group = [
        (.read, .allow([fd, .sized(by: 2)])),
        (.write, .allow([fd, .sized(by: 2)])),
        (.open, .allow([path, v, v])),
        (.close, .allow([fd])),
        (.stat, .allow([path, .fixed(144)])),
        (.fstat, .allow([fd, .fixed(144)])),
        (.lstat, .allow([path, .fixed(144)])),
        (.newfstatat, .allow([fd, path, .fixed(144), v])),
        (.statx, .allow([fd, path, v, v, .fixed(256)])),
        (.lseek, .allow([fd, v, v])),
        (.pread64, .allow([fd, .sized(by: 2), v])),
        (.pwrite64, .allow([fd, .sized(by: 2), v])),
        (.readv, .allow([fd, .iovecs(count: 2)])),
        (.writev, .allow([fd, .iovecs(count: 2)])),
        (.preadv, .allow([fd, .iovecs(count: 2), v, v])),
        (.pwritev, .allow([fd, .iovecs(count: 2), v, v])),
        (.preadv2, .allow([fd, .iovecs(count: 2), v, v, v])),
        (.pwritev2, .allow([fd, .iovecs(count: 2), v, v, v])),
        (.access, .allow([path, v])),
        (.faccessat, .allow([fd, path, v])),
        (.faccessat2, .allow([fd, path, v, v])),
        (.openat, .allow([fd, path, v, v])),
        // struct open_how, as long as its size argument says.
        (.openat2, .allow([fd, path, .sized(by: 3), v])),
        (.creat, .allow([path, v])),
        (.truncate, .allow([path, v])),
        (.ftruncate, .allow([fd, v])),
        (.fsync, .allow([fd])),
        (.fdatasync, .allow([fd])),
        (.syncfs, .allow([fd])),
        (.sync, .allow([])),
        (.syncFileRange, .allow([fd, v, v, v])),
        (.fallocate, .allow([fd, v, v, v])),
        (.fadvise64, .allow([fd, v, v, v])),
        (.readahead, .allow([fd, v, v])),
        (.flock, .allow([fd, v])),
        (.sendfile, .allow([fd, fd, .fixed(8), v])),
        (.splice, .allow([fd, .fixed(8), fd, .fixed(8), v, v])),
        (.tee, .allow([fd, fd, v, v])),
        (.copyFileRange, .allow([fd, .fixed(8), fd, .fixed(8), v, v])),
        // Hands the program's pages to a pipe by reference: they are mcexec's mapping of
        // them, which the LWK may change while the pipe holds them.
        (.vmsplice, .refuse(.unchecked)),
        (.statfs, .allow([path, .fixed(120)])),
        (.fstatfs, .allow([fd, .fixed(120)])),
        (.ustat, .allow([v, .fixed(32)])),
        (.memfdCreate, .allow([.string(maximum: 256), v])),
        (.nameToHandleAt, .refuse(.unneeded)),
        (.openByHandleAt, .refuse(.hostAdministration)),  // CAP_DAC_READ_SEARCH
        (.fcntl, .commands(CommandTables.fcntl)),
        (.ioctl, .commands(CommandTables.ioctl)),
    ]

    /// Descriptors as such: duplicating, polling, events, pipes.
    private static let descriptors: Group = [
        (.dup, .allow([fd])),
        (.dup2, .allow([fd, fd])),
        (.dup3, .allow([fd, fd, v])),
        (.closeRange, .closeRange),
        (.pipe, .allow([.fixed(8)])),
        (.pipe2, .allow([.fixed(8), v])),
        (.poll, .allow([.bytes(.elements(1, size: 8)), v, v])),
        (.ppoll, .allow([.bytes(.elements(1, size: 8)), v, .fixed(16), .sized(by: 4), v])),
        (.select, .allow([v, .bytes(.descriptorSet(0)), .bytes(.descriptorSet(0)), .bytes(.descriptorSet(0)), .fixed(16)])),
        // The sixth argument is { const sigset_t *mask; size_t size; }.
        (.pselect6, .allow([v, .bytes(.descriptorSet(0)), .bytes(.descriptorSet(0)), .bytes(.descriptorSet(0)), .fixed(16),
                            .embedded(EmbeddedBuffer(size: 16, pointerOffset: 0, lengthOffset: 8, lengthBytes: 8, writtenBack: false))])),
        (.epollCreate, .allow([v])),
        (.epollCreate1, .allow([v])),
        (.epollCtl, .allow([fd, v, fd, .fixed(12)])),  // struct epoll_event is packed
        (.epollWait, .allow([fd, .bytes(.elements(2, size: 12)), v, v])),
        (.epollPwait, .allow([fd, .bytes(.elements(2, size: 12)), v, v, .sized(by: 5), v])),
        (.epollPwait2, .allow([fd, .bytes(.elements(2, size: 12)), v, .fixed(16), .sized(by: 5), v])),
        (.eventfd, .allow([v])),
        (.eventfd2, .allow([v, v])),
        (.signalfd, .allow([fd, .sized(by: 2), v])),
        (.signalfd4, .allow([fd, .sized(by: 2), v, v])),
        (.timerfdCreate, .allow([v, v])),
        (.timerfdSettime, .allow([fd, v, .fixed(32), .fixed(32)])),
        (.timerfdGettime, .allow([fd, .fixed(32)])),
        (.inotifyInit, .allow([])),
        (.inotifyInit1, .allow([v])),
        (.inotifyAddWatch, .allow([fd, path, v])),
        (.inotifyRmWatch, .allow([fd, v])),
        (.fanotifyInit, .refuse(.hostAdministration)),  // CAP_SYS_ADMIN
        (.fanotifyMark, .refuse(.hostAdministration)),
        (.pidfdOpen, .allow([v, v])),
        // Could copy mcexec's own descriptors (its /dev/mcosN) into the program's hands.
        (.pidfdGetfd, .refuse(.actsOnProxy)),
        (.kcmp, .refuse(.unneeded)),
        // Submission rings and control blocks hold pointers Linux follows after the call.
        (.ioSetup, .refuse(.unchecked)),
        (.ioDestroy, .refuse(.unchecked)),
        (.ioGetevents, .refuse(.unchecked)),
        (.ioSubmit, .refuse(.unchecked)),
        (.ioCancel, .refuse(.unchecked)),
        (.ioPgetevents, .refuse(.unchecked)),
        (.ioUringSetup, .refuse(.unchecked)),
        (.ioUringEnter, .refuse(.unchecked)),
        (.ioUringRegister, .refuse(.unchecked)),
    ]

    /// The file system's names.
    private static let directories: Group = [
        (.getdents, .allow([fd, .sized(by: 2)])),
        (.getdents64, .allow([fd, .sized(by: 2)])),
        (.getcwd, .allow([.sized(by: 1)])),
        (.chdir, .allow([path])),
        (.fchdir, .allow([fd])),
        (.rename, .allow([path, path])),
        (.renameat, .allow([fd, path, fd, path])),
        (.renameat2, .allow([fd, path, fd, path, v])),
        (.mkdir, .allow([path, v])),
        (.mkdirat, .allow([fd, path, v])),
        (.rmdir, .allow([path])),
        (.link, .allow([path, path])),
        (.linkat, .allow([fd, path, fd, path, v])),
        (.unlink, .allow([path])),
        (.unlinkat, .allow([fd, path, v])),
        (.symlink, .allow([path, path])),
        (.symlinkat, .allow([path, fd, path])),
        (.readlink, .allow([path, .sized(by: 2)])),
        (.readlinkat, .allow([fd, path, .sized(by: 3)])),
        (.mknod, .allow([path, v, v])),
        (.mknodat, .allow([fd, path, v, v])),
        (.chmod, .allow([path, v])),
        (.fchmod, .allow([fd, v])),
        (.fchmodat, .allow([fd, path, v])),
        (.chown, .allow([path, v, v])),
        (.fchown, .allow([fd, v, v])),
        (.lchown, .allow([path, v, v])),
        (.fchownat, .allow([fd, path, v, v, v])),
        (.umask, .allow([v])),
        (.utime, .allow([path, .fixed(16)])),
        (.utimes, .allow([path, .fixed(32)])),
        (.futimesat, .allow([fd, path, .fixed(32)])),
        (.utimensat, .allow([fd, path, .fixed(32), v])),
    ]

    /// Extended attributes.
    private static let attributes: Group = [
        (.setxattr, .allow([path, .attributeName, .sized(by: 3), v, v])),
        (.lsetxattr, .allow([path, .attributeName, .sized(by: 3), v, v])),
        (.fsetxattr, .allow([fd, .attributeName, .sized(by: 3), v, v])),
        (.getxattr, .allow([path, .attributeName, .sized(by: 3), v])),
        (.lgetxattr, .allow([path, .attributeName, .sized(by: 3), v])),
        (.fgetxattr, .allow([fd, .attributeName, .sized(by: 3), v])),
        (.listxattr, .allow([path, .sized(by: 2), v])),
        (.llistxattr, .allow([path, .sized(by: 2), v])),
        (.flistxattr, .allow([fd, .sized(by: 2), v])),
        (.removexattr, .allow([path, .attributeName])),
        (.lremovexattr, .allow([path, .attributeName])),
        (.fremovexattr, .allow([fd, .attributeName])),
    ]

    /// Sockets. Linux writes at most a `struct sockaddr_storage` (128 bytes) of an
    /// address, whatever length the program offers.
    private static let sockets: Group = [
        (.socket, .allow([v, v, v])),
        (.socketpair, .allow([v, v, v, .fixed(8)])),
        (.connect, .allow([fd, .sized(by: 2), v])),
        (.bind, .allow([fd, .sized(by: 2), v])),
        (.listen, .allow([fd, v])),
        (.accept, .allow([fd, .fixed(128), .fixed(4)])),
        (.accept4, .allow([fd, .fixed(128), .fixed(4), v])),
        (.getsockname, .allow([fd, .fixed(128), .fixed(4)])),
        (.getpeername, .allow([fd, .fixed(128), .fixed(4)])),
        (.sendto, .allow([fd, .sized(by: 2), v, v, .sized(by: 5), v])),
        (.recvfrom, .allow([fd, .sized(by: 2), v, v, .fixed(128), .fixed(4)])),
        (.sendmsg, .allow([fd, .message(.send), v])),
        (.recvmsg, .allow([fd, .message(.receive), v])),
        (.sendmmsg, .allow([fd, .messages(count: 2, .send), v, v])),
        (.recvmmsg, .allow([fd, .messages(count: 2, .receive), v, v, .fixed(16)])),
        (.shutdown, .allow([fd, v])),
        (.setsockopt, .commands(CommandTables.setsockopt)),
        (.getsockopt, .commands(CommandTables.getsockopt)),
    ]

    /// Clocks, timers, sleeping.
    private static let time: Group = [
        (.time, .allow([.fixed(8)])),
        (.gettimeofday, .allow([.fixed(16), .fixed(8)])),
        (.clockGettime, .allow([v, .fixed(16)])),
        (.clockGetres, .allow([v, .fixed(16)])),
        (.clockNanosleep, .allow([v, v, .fixed(16), .fixed(16)])),
        (.nanosleep, .allow([.fixed(16), .fixed(16)])),
        (.getitimer, .allow([v, .fixed(32)])),
        (.setitimer, .allow([v, .fixed(32), .fixed(32)])),
        (.alarm, .allow([v])),
        (.timerCreate, .allow([v, .fixed(64), .fixed(4)])),
        (.timerSettime, .allow([v, v, .fixed(32), .fixed(32)])),
        (.timerGettime, .allow([v, .fixed(32)])),
        (.timerGetoverrun, .allow([v])),
        (.timerDelete, .allow([v])),
        (.times, .allow([.fixed(32)])),
        (.settimeofday, .refuse(.hostAdministration)),
        (.clockSettime, .refuse(.hostAdministration)),
        (.adjtimex, .refuse(.hostAdministration)),
        (.clockAdjtime, .refuse(.hostAdministration)),
    ]

    /// Signals. The LWK keeps the program's actions and mask, runs its handlers and
    /// serves sigreturn, sigaltstack, sigpending, sigsuspend, pause and signals to
    /// itself; mcexec's own handlers pass the signals Linux sends it on to the program.
    /// rt_sigtimedwait comes here when nothing of its set is pending on the LWK.
    private static let signals: Group = [
        (.rtSigaction, .answer(0)),  // the LWK's; mcexec's own handlers must stay
        (.rtSigprocmask, .answer(0)),
        // Would make mcexec's signal handlers run on a stack in the program's memory.
        (.sigaltstack, .answer(0)),
        (.rtSigreturn, .refuse(.servedByLWK)),
        (.kill, .signal(target: 0, signal: 1, zeroIsSelf: true)),
        (.tkill, .signal(target: 0, signal: 1, zeroIsSelf: false)),
        (.tgkill, .signal(target: 1, signal: 2, zeroIsSelf: false)),  // the tid: another thread's proxy thread gets it from Linux
        (.rtSigqueueinfo, .allow([v, v, .fixed(128)])),
        (.rtTgsigqueueinfo, .allow([v, v, v, .fixed(128)])),
        (.pidfdSendSignal, .allow([fd, v, .fixed(128), v])),
        (.rtSigpending, .allow([.sized(by: 1), v])),
        (.rtSigtimedwait, .allow([.sized(by: 3), .fixed(128), .fixed(16), v])),
        (.rtSigsuspend, .allow([.sized(by: 1), v])),
        (.pause, .allow([])),
    ]

    /// Who the program is. Credentials are mcexec's, which the program's calls use, so
    /// changing them changes what the program may do, as natively.
    private static let identity: Group = [
        (.getpid, .allow([])),
        (.gettid, .allow([])),
        (.getppid, .allow([])),
        (.getuid, .allow([])),
        (.geteuid, .allow([])),
        (.getgid, .allow([])),
        (.getegid, .allow([])),
        (.getresuid, .allow([.fixed(4), .fixed(4), .fixed(4)])),
        (.getresgid, .allow([.fixed(4), .fixed(4), .fixed(4)])),
        (.setuid, .allow([v])),
        (.setgid, .allow([v])),
        (.setreuid, .allow([v, v])),
        (.setregid, .allow([v, v])),
        (.setresuid, .allow([v, v, v])),
        (.setresgid, .allow([v, v, v])),
        (.setfsuid, .allow([v])),
        (.setfsgid, .allow([v])),
        (.getgroups, .allow([v, .bytes(.elements(0, size: 4))])),
        (.setgroups, .allow([v, .bytes(.elements(0, size: 4))])),
        (.capget, .allow([.fixed(8), .fixed(24)])),
        (.capset, .allow([.fixed(8), .fixed(24)])),
        (.getpgid, .allow([v])),
        (.setpgid, .allow([v, v])),
        (.getpgrp, .allow([])),
        (.getsid, .allow([v])),
        (.setsid, .allow([])),
        (.uname, .allow([.fixed(390)])),
        (.sysinfo, .allow([.fixed(112)])),
        (.getrlimit, .allow([v, .fixed(16)])),
        (.setrlimit, .allow([v, .fixed(16)])),
        (.prlimit64, .allow([v, v, .fixed(16), .fixed(16)])),
        (.getrusage, .allow([v, .fixed(144)])),
        (.getcpu, .allow([.fixed(4), .fixed(4), v])),  // the third is ignored by Linux
        (.getrandom, .allow([.sized(by: 1), v, v])),
        (.syslog, .allow([v, .sized(by: 2), v])),  // Linux checks who may read its log
        (.prctl, .commands(CommandTables.prctl)),
        (.personality, .commands(CommandTables.personality)),
    ]

    /// Scheduling of the proxy on Linux, which is what these reach.
    private static let scheduling: Group = [
        (.schedYield, .allow([])),
        (.getpriority, .allow([v, v])),
        (.setpriority, .allow([v, v, v])),
        (.schedSetparam, .allow([v, .fixed(4)])),
        (.schedGetparam, .allow([v, .fixed(4)])),
        (.schedSetscheduler, .allow([v, v, .fixed(4)])),
        (.schedGetscheduler, .allow([v])),
        (.schedGetPriorityMax, .allow([v])),
        (.schedGetPriorityMin, .allow([v])),
        (.schedRrGetInterval, .allow([v, .fixed(16)])),
        // Linux reads as much of struct sched_attr as its size field says, at most a page.
        (.schedSetattr, .allow([v, .fixed(4096), v])),
        (.schedGetattr, .allow([v, .sized(by: 2), v, v])),
        (.schedSetaffinity, .allow([v, v, .sized(by: 1)])),
        (.schedGetaffinity, .allow([v, v, .sized(by: 1)])),
        (.ioprioSet, .allow([v, v, v])),
        (.ioprioGet, .allow([v, v])),
        (.wait4, .allow([v, .fixed(4), v, .fixed(144)])),
        (.waitid, .allow([v, v, .fixed(128), v, .fixed(144)])),
    ]

    /// System V IPC and POSIX message queues. Shared memory segments are Linux's
    /// (shmget, shmctl); shmat and shmdt map memory, which only the LWK does for the
    /// program (with mcexec's help: SharedSegments).
    private static let ipc: Group = [
        (.semget, .allow([v, v, v])),
        (.semop, .allow([v, .bytes(.elements(2, size: 6)), v])),
        (.semtimedop, .allow([v, .bytes(.elements(2, size: 6)), v, .fixed(16)])),
        (.semctl, .commands(CommandTables.semctl)),
        (.msgget, .allow([v, v])),
        (.msgsnd, .allow([v, .bytes(.argument(2, plus: 8)), v, v])),  // long mtype, then the text
        (.msgrcv, .allow([v, .bytes(.argument(2, plus: 8)), v, v, v])),
        (.msgctl, .commands(CommandTables.msgctl)),
        (.shmget, .allow([v, v, v])),
        (.shmat, .refuse(.servedByLWK)),
        (.shmdt, .refuse(.servedByLWK)),
        (.shmctl, .commands(CommandTables.shmctl)),
        (.mqOpen, .allow([path, v, v, .fixed(64)])),
        (.mqUnlink, .allow([path])),
        (.mqTimedsend, .allow([fd, .sized(by: 2), v, v, .fixed(16)])),
        (.mqTimedreceive, .allow([fd, .sized(by: 2), v, .fixed(4), .fixed(16)])),
        (.mqNotify, .allow([fd, .fixed(64)])),
        (.mqGetsetattr, .allow([fd, .fixed(64), .fixed(64)])),
        (.futex, .commands(CommandTables.futex)),
        // An array of futexes, each a pointer: not passed through a checked copy.
        (.futexWaitv, .refuse(.unchecked)),
    ]

    /// The process itself: threads, images, its end, its debugging. The LWK serves
    /// these for the program; performed here they would change mcexec.
    private static let process: Group = [
        (.clone, .refuse(.servedByLWK)),
        (.clone3, .refuse(.servedByLWK)),
        (.fork, .refuse(.servedByLWK)),
        (.vfork, .refuse(.servedByLWK)),
        (.execve, .refuse(.servedByLWK)),
        (.execveat, .refuse(.servedByLWK)),
        (.exit, .refuse(.servedByLWK)),
        (.exitGroup, .refuse(.servedByLWK)),
        (.archPrctl, .refuse(.servedByLWK)),
        (.setTidAddress, .refuse(.servedByLWK)),
        (.setRobustList, .refuse(.servedByLWK)),
        (.rseq, .refuse(.servedByLWK)),
        (.getRobustList, .refuse(.actsOnProxy)),  // mcexec's addresses
        (.setThreadArea, .refuse(.actsOnProxy)),
        (.getThreadArea, .refuse(.actsOnProxy)),
        (.modifyLdt, .refuse(.actsOnProxy)),
        (.ptrace, .refuse(.actsOnProxy)),
        // Would resume a call mcexec itself was interrupted in, with mcexec's arguments.
        (.restartSyscall, .refuse(.actsOnProxy)),
        (.seccomp, .refuse(.actsOnProxy)),
        (.unshare, .refuse(.actsOnProxy)),
        (.setns, .refuse(.actsOnProxy)),
        (.landlockCreateRuleset, .refuse(.actsOnProxy)),
        (.landlockAddRule, .refuse(.actsOnProxy)),
        (.landlockRestrictSelf, .refuse(.actsOnProxy)),
        // The LWK copies between its own programs itself and passes on only a Linux
        // process's pid: the local iovecs and the remote array are the program's, the
        // remote buffers the other process's, which Linux checks.
        (.processVmReadv, crossMemory),
        (.processVmWritev, crossMemory),
        (.processMadvise, .refuse(.actsOnProxy)),
        (.processMrelease, .refuse(.unneeded)),
        (.perfEventOpen, .refuse(.actsOnProxy)),  // would count mcexec, not the program
        (.membarrier, .refuse(.actsOnProxy)),  // would fence mcexec's threads
        (.userfaultfd, .refuse(.actsOnProxy)),
        (.iopl, .refuse(.actsOnProxy)),
        (.ioperm, .refuse(.actsOnProxy)),
        (.bpf, .refuse(.unchecked)),
        (.addKey, .refuse(.unchecked)),
        (.requestKey, .refuse(.unchecked)),
        (.keyctl, .refuse(.unchecked)),
    ]

    /// Memory: the LWK maps and protects the program's memory; performed here these
    /// would change mcexec's mapping of it, or mcexec's own.
    private static let memory: Group = [
        (.mmap, .refuse(.servedByLWK)),
        (.munmap, .refuse(.servedByLWK)),
        (.mprotect, .refuse(.servedByLWK)),
        (.mremap, .refuse(.servedByLWK)),
        (.msync, .refuse(.servedByLWK)),
        (.madvise, .refuse(.servedByLWK)),
        (.brk, .refuse(.servedByLWK)),
        (.remapFilePages, .refuse(.servedByLWK)),
        (.pkeyMprotect, .refuse(.servedByLWK)),
        (.pkeyAlloc, .refuse(.actsOnProxy)),
        (.pkeyFree, .refuse(.actsOnProxy)),
        (.memfdSecret, .refuse(.servedByLWK)),  // reached only through mmap
        // Where memory comes from is the LWK's (mcexec -m); here it would bind mcexec's.
        (.mbind, .refuse(.actsOnProxy)),
        (.setMempolicy, .refuse(.actsOnProxy)),
        (.getMempolicy, .refuse(.actsOnProxy)),
        (.migratePages, .refuse(.actsOnProxy)),
        (.movePages, .refuse(.actsOnProxy)),
        (.setMempolicyHomeNode, .refuse(.actsOnProxy)),
        // The LWK maps the program's memory up front and never pages it out: it is
        // locked already.
        (.mlock, .answer(0)),
        (.mlock2, .answer(0)),
        (.munlock, .answer(0)),
        (.mlockall, .answer(0)),
        (.munlockall, .answer(0)),
        // Address ranges of the program's memory (mcexec's mapping of it).
        (.mincore, .allow([.sized(by: 1), v, .bytes(.pageVector(1))])),
    ]

    /// The host's administration, and calls Linux no longer has.
    private static let host: Group = [
        (.mount, .refuse(.hostAdministration)),
        (.umount2, .refuse(.hostAdministration)),
        (.pivotRoot, .refuse(.hostAdministration)),
        (.chroot, .refuse(.hostAdministration)),
        (.swapon, .refuse(.hostAdministration)),
        (.swapoff, .refuse(.hostAdministration)),
        (.reboot, .refuse(.hostAdministration)),
        (.sethostname, .refuse(.hostAdministration)),
        (.setdomainname, .refuse(.hostAdministration)),
        (.acct, .refuse(.hostAdministration)),
        (.quotactl, .refuse(.hostAdministration)),
        (.quotactlFd, .refuse(.hostAdministration)),
        (.vhangup, .refuse(.hostAdministration)),
        (.initModule, .refuse(.hostAdministration)),
        (.finitModule, .refuse(.hostAdministration)),
        (.deleteModule, .refuse(.hostAdministration)),
        (.kexecLoad, .refuse(.hostAdministration)),
        (.kexecFileLoad, .refuse(.hostAdministration)),
        (.openTree, .refuse(.hostAdministration)),
        (.moveMount, .refuse(.hostAdministration)),
        (.fsopen, .refuse(.hostAdministration)),
        (.fsconfig, .refuse(.hostAdministration)),
        (.fsmount, .refuse(.hostAdministration)),
        (.fspick, .refuse(.hostAdministration)),
        (.mountSetattr, .refuse(.hostAdministration)),
        (.lookupDcookie, .refuse(.obsolete)),
        (.sysfs, .refuse(.obsolete)),
        (.sysctl, .refuse(.obsolete)),
        (.uselib, .refuse(.obsolete)),
        (.createModule, .refuse(.obsolete)),
        (.getKernelSyms, .refuse(.obsolete)),
        (.queryModule, .refuse(.obsolete)),
        (.nfsservctl, .refuse(.obsolete)),
        (.getpmsg, .refuse(.obsolete)),
        (.putpmsg, .refuse(.obsolete)),
        (.afsSyscall, .refuse(.obsolete)),
        (.tuxcall, .refuse(.obsolete)),
        (.security, .refuse(.obsolete)),
        (.vserver, .refuse(.obsolete)),
        (.epollCtlOld, .refuse(.obsolete)),
        (.epollWaitOld, .refuse(.obsolete)),
    ]
}
