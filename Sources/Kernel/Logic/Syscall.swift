/// Which system calls the LWK answers itself and which it sends to the proxy (mcexec)
/// on Linux. The split follows McKernel's: what touches only the process (memory,
/// identity, time, signal masks) stays local, because that is where the LWK is fast and
/// jitter-free; everything that needs Linux's objects (files, sockets, the hostname) is
/// offloaded.
extension Syscall {
    /// Where a call is served, decided on the number as Linux reads it.
    public enum Route: Equatable {
        /// The LWK answers it (`Syscall.local`).
        case local(Syscall)
        /// The proxy makes it on Linux: the 32-bit number Linux would dispatch on.
        case offloaded(number: UInt32)
        /// An x32 call: ENOSYS, as on a kernel without x32 (Debian's refuse them too).
        case x32
    }

    /// The calls the LWK answers, in four groups: what only touches the process
    /// (memory, identity, time, signal state); threads and what waits between them
    /// (clone, futex, affinity, getcpu, robust lists: Linux would apply them to the proxy's
    /// threads and its mapping of the program's memory); what would create or replace a
    /// process; and calls that must not reach the proxy because Linux would apply them
    /// to the proxy's own mapping of the program's memory: mremap, msync and rseq
    /// (ENOSYS, glibc goes on without it; offloaded, Linux would write the proxy's CPU
    /// number into the program's memory).
    public static let local: [Syscall] = [
        .mmap, .mprotect, .munmap, .brk, .madvise, .rtSigaction, .rtSigprocmask, .schedYield, .getpid, .exit,
        .gettimeofday, .archPrctl, .gettid, .setTidAddress, .clockGettime, .exitGroup, .setRobustList,
        .clone, .clone3, .futex, .futexWaitv, .schedGetaffinity, .schedSetaffinity, .getRobustList, .getcpu,
        .fork, .vfork, .execve, .execveat, .mremap, .msync, .rseq, .shmat, .shmdt, .processVmReadv, .processVmWritev,
        .rtSigreturn, .sigaltstack, .rtSigpending, .rtSigsuspend, .pause, .rtSigtimedwait, .kill, .tkill, .tgkill,
    ]

    /// x86-64 Linux reads the number as an int, the low 32 bits of rax (mmap + 2^32 is
    /// mmap), and bit 30 marks the x32 ABI.
    public static let x32Bit: UInt32 = 1 << 30

    /// The route of the number in rax. A number Linux does not define is offloaded too:
    /// Linux answers ENOSYS, exactly as it would natively.
    public static func route(_ register: UInt64) -> Route {
        let number = UInt32(truncatingIfNeeded: register)
        if number & x32Bit != 0 { return .x32 }
        if let call = Syscall(rawValue: number), local.contains(call) { return .local(call) }
        return .offloaded(number: number)
    }

    /// The call with this number (the low 32 bits, as Linux reads rax), if Linux
    /// defines one.
    public init?(number: UInt64) {
        self.init(rawValue: UInt32(truncatingIfNeeded: number))
    }

    /// The name for logs, "syscall_<n>" for a number Linux does not define.
    public static func name(_ number: UInt64) -> String {
        Syscall(number: number)?.name ?? "syscall_" + String(UInt32(truncatingIfNeeded: number))
    }
}
