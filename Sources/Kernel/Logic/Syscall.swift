/// Which system calls the LWK answers itself and which it sends to the proxy (mcexec)
/// on Linux. The split follows McKernel's: what touches only the process (memory,
/// identity, time, signal masks) stays local, because that is where the LWK is fast and
/// jitter-free; everything that needs Linux's objects (files, sockets, the hostname) is
/// offloaded.
extension Syscall {
    /// Where a call is served.
    public enum Route: Equatable {
        case local, offloaded
    }

    /// The calls the LWK answers, in three groups: what only touches the process
    /// (memory, identity, time, signal state); what would create or replace a process
    /// (ENOSYS: one single-threaded process per CPU); and two calls that must not reach
    /// the proxy because Linux would apply them to the proxy's own mapping of the
    /// program's memory: mremap (ENOMEM, glibc's realloc then copies) and rseq (ENOSYS,
    /// glibc goes on without it; offloaded, Linux would write the proxy's CPU number
    /// into the program's memory).
    public static let local: [Syscall] = [
        .mmap, .mprotect, .munmap, .brk, .madvise, .rtSigaction, .rtSigprocmask, .schedYield, .getpid, .exit,
        .gettimeofday, .archPrctl, .gettid, .setTidAddress, .clockGettime, .exitGroup, .setRobustList,
        .clone, .clone3, .fork, .vfork, .execve, .execveat, .mremap, .rseq,
    ]

    /// A number Linux does not define is offloaded too: Linux answers ENOSYS, exactly as
    /// it would natively.
    public static func route(_ number: UInt64) -> Route {
        guard let call = Syscall(number: number) else { return .offloaded }
        return local.contains(call) ? .local : .offloaded
    }

    /// The call with this number (a whole register's worth), if Linux defines one.
    public init?(number: UInt64) {
        guard let raw = UInt32(exactly: number) else { return nil }
        self.init(rawValue: raw)
    }

    /// The name for logs, "syscall_<n>" for a number Linux does not define.
    public static func name(_ number: UInt64) -> String {
        Syscall(number: number)?.name ?? "syscall_" + String(number)
    }
}
