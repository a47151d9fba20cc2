/// What mcexec does with a system call the LWK offloaded to it. Most are performed as
/// they are, in mcexec's own context: pointer arguments name the same bytes on both
/// sides (the unified address space), file descriptors are mcexec's, which the program
/// shares. A few would act on mcexec itself instead of on the program, and are refused
/// or answered here.
enum SyscallAction: Equatable {
    /// Perform it with the raw syscall instruction and return what the kernel returned.
    case perform
    /// Return -errno without doing anything.
    case refuse(errno: Int32)
    /// Return this value without doing anything (calls the LWK should handle, whose
    /// effect on mcexec would be wrong; the program sees success).
    case pretend(Int64)
    /// The program signals itself (kill/tgkill to its own pid): no handlers run on the
    /// LWK, so it ends as if killed by `signal`. Returns 0 to the program.
    case killProgram(signal: Int32)
    /// close_range(2) split around mcexec's own descriptors: close these ranges instead.
    case closeRanges([ClosedRange<UInt32>], flags: UInt32)
}

/// x86-64 system call numbers used by the policy (asm/unistd_64.h).
enum SyscallNumber {
    static let read: UInt32 = 0, write: UInt32 = 1, close: UInt32 = 3, fstat: UInt32 = 5, lseek: UInt32 = 8
    static let mmap: UInt32 = 9, mprotect: UInt32 = 10, munmap: UInt32 = 11, brk: UInt32 = 12
    static let rtSigaction: UInt32 = 13, rtSigprocmask: UInt32 = 14, rtSigreturn: UInt32 = 15, ioctl: UInt32 = 16
    static let pread64: UInt32 = 17, pwrite64: UInt32 = 18, readv: UInt32 = 19, writev: UInt32 = 20
    static let mremap: UInt32 = 25, madvise: UInt32 = 28, shmat: UInt32 = 30
    static let dup: UInt32 = 32, dup2: UInt32 = 33, sendfile: UInt32 = 40
    static let clone: UInt32 = 56, fork: UInt32 = 57, vfork: UInt32 = 58, execve: UInt32 = 59, exit: UInt32 = 60
    static let kill: UInt32 = 62, fcntl: UInt32 = 72, flock: UInt32 = 73, fsync: UInt32 = 74, fdatasync: UInt32 = 75
    static let ftruncate: UInt32 = 77, getdents: UInt32 = 78, fchdir: UInt32 = 81, fchmod: UInt32 = 91, fchown: UInt32 = 93
    static let ptrace: UInt32 = 101, sigaltstack: UInt32 = 131, arch_prctl: UInt32 = 158, tkill: UInt32 = 200
    static let getdents64: UInt32 = 217, setTidAddress: UInt32 = 218, exitGroup: UInt32 = 231, tgkill: UInt32 = 234
    static let dup3: UInt32 = 292, preadv: UInt32 = 295, pwritev: UInt32 = 296, execveat: UInt32 = 322
    static let clone3: UInt32 = 435, closeRange: UInt32 = 436
}

struct SyscallPolicy {
    /// mcexec's own descriptors (its /dev/mcosN file), which the program must not touch.
    var ownDescriptors: Set<Int32>
    /// mcexec's pid, which is also the program's (getpid on the LWK answers it).
    var pid: Int32

    private typealias N = SyscallNumber

    /// Calls whose first argument is a descriptor that is read, written or changed.
    private static let firstArgumentDescriptor: Set<UInt32> = [
        N.read, N.write, N.close, N.fstat, N.lseek, N.ioctl, N.pread64, N.pwrite64, N.readv, N.writev,
        N.dup, N.fcntl, N.flock, N.fsync, N.fdatasync, N.ftruncate, N.getdents, N.fchdir, N.fchmod, N.fchown,
        N.getdents64, N.preadv, N.pwritev,
    ]

    /// Calls that would change mcexec's own process (its memory, threads, image, exit):
    /// the LWK handles them for the program; if one is offloaded anyway it is refused.
    private static let processLocal: Set<UInt32> = [
        N.mmap, N.mprotect, N.munmap, N.brk, N.mremap, N.madvise, N.shmat, N.rtSigreturn,
        N.clone, N.fork, N.vfork, N.execve, N.exit, N.exitGroup, N.ptrace, N.arch_prctl,
        N.setTidAddress, N.execveat, N.clone3,
    ]

    func decide(number: UInt32, arguments a: [UInt64]) -> SyscallAction {
        func descriptor(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: a[i]) }
        if Self.processLocal.contains(number) { return .refuse(errno: 38) }  // ENOSYS
        if Self.firstArgumentDescriptor.contains(number), ownDescriptors.contains(descriptor(0)) { return .refuse(errno: 9) }  // EBADF
        switch number {
        case N.dup2, N.dup3:
            // dup2(x, ours) would close ours; dup2(ours, y) would hand it to the program.
            if ownDescriptors.contains(descriptor(0)) || ownDescriptors.contains(descriptor(1)) { return .refuse(errno: 9) }
        case N.sendfile:
            if ownDescriptors.contains(descriptor(0)) || ownDescriptors.contains(descriptor(1)) { return .refuse(errno: 9) }
        case N.closeRange:
            return closeRange(first: UInt32(truncatingIfNeeded: a[0]), last: UInt32(truncatingIfNeeded: a[1]),
                              flags: UInt32(truncatingIfNeeded: a[2]))
        case N.rtSigaction, N.rtSigprocmask, N.sigaltstack:
            // Handlers and masks are the LWK's business; mcexec's own would break Ctrl-C.
            return .pretend(0)
        case N.kill:
            if descriptor(0) == pid || descriptor(0) == 0 { return signalSelf(descriptor(1)) }
        case N.tgkill:
            if descriptor(0) == pid { return signalSelf(descriptor(2)) }
        case N.tkill:
            if descriptor(0) == pid { return signalSelf(descriptor(1)) }
        default:
            break
        }
        return .perform
    }

    private func signalSelf(_ signal: Int32) -> SyscallAction {
        if signal == 0 { return .pretend(0) }  // existence check
        guard (1...64).contains(signal) else { return .refuse(errno: 22) }  // EINVAL
        return .killProgram(signal: signal)
    }

    /// close_range(first, last): the same ranges without mcexec's descriptors.
    func closeRange(first: UInt32, last: UInt32, flags: UInt32) -> SyscallAction {
        guard first <= last else { return .refuse(errno: 22) }
        let own = ownDescriptors.filter { $0 >= 0 }.map { UInt32($0) }.filter { (first...last).contains($0) }.sorted()
        if own.isEmpty { return .perform }
        var ranges: [ClosedRange<UInt32>] = []
        var low = UInt64(first)
        for fd in own {
            if UInt64(fd) > low { ranges.append(UInt32(low)...(fd - 1)) }
            low = UInt64(fd) + 1
        }
        if low <= UInt64(last) { ranges.append(UInt32(low)...last) }
        return .closeRanges(ranges, flags: flags)
    }
}
