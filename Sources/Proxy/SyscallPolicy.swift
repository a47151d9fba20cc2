import Kernel

/// What mcexec does with a system call the LWK offloaded to it. Most are performed as
/// they are, in mcexec's own context: pointer arguments name the same bytes on both
/// sides (the unified address space), file descriptors are mcexec's, which the program
/// shares. A few would act on mcexec itself instead of on the program, and are refused
/// or answered here.
enum SyscallAction: Equatable {
    /// Perform it with the raw syscall instruction and return what the kernel returned.
    case perform
    /// Return -errno without doing anything.
    case refuse(Errno)
    /// Return this value without doing anything (calls the LWK should handle, whose
    /// effect on mcexec would be wrong; the program sees success).
    case pretend(Int64)
    /// The program signals itself (kill/tgkill to its own pid): no handlers run on the
    /// LWK, so it ends as if killed by `signal`. Returns 0 to the program.
    case killProgram(signal: Int32)
    /// close_range(2) split around mcexec's own descriptors: close these ranges instead.
    case closeRanges([ClosedRange<UInt32>], flags: UInt32)
}

struct SyscallPolicy {
    /// mcexec's own descriptors (its /dev/mcosN file), which the program must not touch.
    var ownDescriptors: Set<Int32>
    /// mcexec's pid, which is also the program's (getpid on the LWK answers it).
    var pid: Int32

    /// Calls whose first argument is a descriptor that is read, written or changed.
    private static let firstArgumentDescriptor: Set<Syscall> = [
        .read, .write, .close, .fstat, .lseek, .ioctl, .pread64, .pwrite64, .readv, .writev,
        .dup, .fcntl, .flock, .fsync, .fdatasync, .ftruncate, .getdents, .fchdir, .fchmod, .fchown,
        .getdents64, .preadv, .pwritev,
    ]

    /// Calls that would change mcexec's own process (its memory, threads, image, exit):
    /// the LWK handles them for the program; if one is offloaded anyway it is refused.
    private static let processLocal: Set<Syscall> = [
        .mmap, .mprotect, .munmap, .brk, .mremap, .madvise, .shmat, .rtSigreturn,
        .clone, .fork, .vfork, .execve, .exit, .exitGroup, .ptrace, .archPrctl,
        .setTidAddress, .execveat, .clone3,
    ]

    func decide(number: UInt32, arguments a: [UInt64]) -> SyscallAction {
        func descriptor(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: a[i]) }
        guard let call = Syscall(rawValue: number) else { return .perform }  // Linux answers ENOSYS
        if Self.processLocal.contains(call) { return .refuse(.noSys) }
        if Self.firstArgumentDescriptor.contains(call), ownDescriptors.contains(descriptor(0)) { return .refuse(.badf) }
        switch call {
        case .dup2, .dup3, .sendfile:
            // dup2(x, ours) would close ours, dup2(ours, y) hand it to the program;
            // sendfile(out, in) uses both.
            if ownDescriptors.contains(descriptor(0)) || ownDescriptors.contains(descriptor(1)) { return .refuse(.badf) }
        case .closeRange:
            return closeRange(first: UInt32(truncatingIfNeeded: a[0]), last: UInt32(truncatingIfNeeded: a[1]),
                              flags: UInt32(truncatingIfNeeded: a[2]))
        case .rtSigaction, .rtSigprocmask, .sigaltstack:
            // Handlers and masks are the LWK's business; mcexec's own would break Ctrl-C.
            return .pretend(0)
        case .kill:
            if descriptor(0) == pid || descriptor(0) == 0 { return signalSelf(descriptor(1)) }
        case .tgkill:
            if descriptor(0) == pid { return signalSelf(descriptor(2)) }
        case .tkill:
            if descriptor(0) == pid { return signalSelf(descriptor(1)) }
        default:
            break
        }
        return .perform
    }

    private func signalSelf(_ signal: Int32) -> SyscallAction {
        if signal == 0 { return .pretend(0) }  // existence check
        // Kernel.Signal: the LWK's numbers; mcexec's own Signal words them for people.
        guard signal > 0, Signal.isValid(UInt64(signal)) else { return .refuse(.inval) }
        return .killProgram(signal: signal)
    }

    /// close_range(first, last): the same ranges without mcexec's descriptors.
    func closeRange(first: UInt32, last: UInt32, flags: UInt32) -> SyscallAction {
        guard first <= last else { return .refuse(.inval) }
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
