import CMcosABI

// The IKC packets of a program on the LWK, as mcos_abi.h defines them ("Programs on
// the LWK (mcexec)"): every one is a plain `mcos_ikc_packet` on the LWK CPU's own
// channel (mcos_ikc_ring_to_lwk / mcos_ikc_ring_from_lwk).

/// A request Linux sends about the CPU's process. Each but KILL carries a seq the
/// LWK echoes in its PROC_REPLY.
public enum ProcessRequest: Equatable {
    /// `numaMask`: MemoryBinding's mask (0: unbound); `mostCPUs`: how many LWK CPUs its
    /// threads may hold at once (0: no bound but the idle ones); `uid`: its creator's, as
    /// the module knows it.
    case create(pid: UInt64, realtime: UInt64, monotonic: UInt64, numaMask: UInt32, mostCPUs: UInt64, uid: UInt32)
    /// The LWK CPUs its threads and forks' children run on (mcexec -n), before START.
    case cpus(CPUShare)
    case map(start: UInt64, bytes: UInt64, protection: UInt32)
    /// `signals`: what the program starts with (`KeptSignals.none` but after execve).
    case start(entry: UInt64, stack: UInt64, programBreak: UInt64, signals: KeptSignals)
    /// A copy of the process led from `parentCPU` whose thread forks with `token`.
    case fork(pid: UInt64, realtime: UInt64, monotonic: UInt64, numaMask: UInt32, parentCPU: UInt64, token: UInt64)
    /// `thread`: for the thread of this channel (tgkill), not the whole process.
    case kill(signal: UInt32, proxyGone: Bool, thread: Bool, sender: SignalSender)

    /// nil for any other packet type.
    public init?(packet: IKCPacket) {
        let a = packet.args
        switch packet.type {
        case MCOS_IKC_PROC_CREATE:
            self = .create(pid: a.0, realtime: a.1, monotonic: a.2, numaMask: UInt32(truncatingIfNeeded: a.3), mostCPUs: a.4,
                           uid: UInt32(truncatingIfNeeded: a.5))
        case MCOS_IKC_PROC_FORK:
            self = .fork(pid: a.0, realtime: a.1, monotonic: a.2, numaMask: UInt32(truncatingIfNeeded: a.3), parentCPU: a.4, token: a.5)
        case MCOS_IKC_PROC_CPUS: self = .cpus(CPUShare(words: (a.0, a.1, a.2, a.3)))
        case MCOS_IKC_PROC_MAP: self = .map(start: a.0, bytes: a.1, protection: UInt32(truncatingIfNeeded: a.2))
        case MCOS_IKC_PROC_START:
            self = .start(entry: a.0, stack: a.1, programBreak: a.2, signals: KeptSignals(blocked: a.3, pending: a.4, ignored: a.5))
        case MCOS_IKC_PROC_KILL:
            self = .kill(signal: UInt32(truncatingIfNeeded: a.0), proxyGone: a.1 & UInt64(MCOS_KILL_PROXY_GONE) != 0,
                         thread: a.1 & UInt64(MCOS_KILL_THREAD) != 0,
                         sender: SignalSender(code: Int32(truncatingIfNeeded: a.2), pid: UInt32(truncatingIfNeeded: a.3),
                                              uid: UInt32(truncatingIfNeeded: a.4), status: Int32(truncatingIfNeeded: a.5)))
        default: return nil
        }
    }
}

/// Who sent a signal that came from Linux, as Linux told mcexec: si_code (SI_USER,
/// SI_TKILL, SI_QUEUE, SI_KERNEL...), si_pid and si_uid; for SIGCHLD (CLD_*), the
/// child, its owner and its si_status.
public struct SignalSender: Equatable, Sendable {
    public var code: Int32
    public var pid: UInt32
    public var uid: UInt32
    public var status: Int32

    public init(code: Int32, pid: UInt32, uid: UInt32, status: Int32 = 0) {
        self.code = code
        self.pid = pid
        self.uid = uid
        self.status = status
    }

    /// The siginfo of `signal` from this sender.
    public func info(_ signal: UInt32) -> SignalInfo {
        guard signal == Signal.chld, code > 0 else { return .sent(signal, code: code, pid: pid, uid: uid) }
        // sigchld: si_pid, si_uid, then si_status (si_utime and si_stime stay 0)
        return SignalInfo(signal: signal, code: code, fields: (UInt64(pid) | UInt64(uid) << 32, UInt64(UInt32(bitPattern: status)), 0, 0))
    }
}

/// MCOS_IKC_PROC_REPLY: seq echoed, args[0] 0 or -errno, args[1] the page-table root
/// (physical) for CREATE.
public func procReplyPacket(seq: UInt64, result: Int64, root: UInt64 = 0) -> IKCPacket {
    IKCPacket(type: MCOS_IKC_PROC_REPLY, seq: seq, args: (UInt64(bitPattern: result), root, 0, 0, 0, 0))
}

/// An offloaded system call: MCOS_IKC_SYSCALL with seq = the x86-64 number and
/// args = its six arguments in Linux's order; one call in flight per CPU, so nothing
/// else is needed to match the reply.
public struct SyscallRequest: Equatable {
    public var number: UInt64
    public var arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(number: UInt64, arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)) {
        self.number = number
        self.arguments = arguments
    }

    public static func == (a: SyscallRequest, b: SyscallRequest) -> Bool { a.packet == b.packet }

    public var packet: IKCPacket { IKCPacket(type: MCOS_IKC_SYSCALL, seq: number, args: arguments) }

    public init?(packet: IKCPacket) {
        guard packet.type == MCOS_IKC_SYSCALL else { return nil }
        self.init(number: packet.seq, arguments: packet.args)
    }
}

/// MCOS_IKC_SYSCALL_REPLY: args[0] is the call's result for the program.
public struct SyscallReply: Equatable {
    /// A value, or -errno (-Errno.maximum ... -1).
    public var result: Int64

    public init(result: Int64) { self.result = result }

    public var packet: IKCPacket {
        IKCPacket(type: MCOS_IKC_SYSCALL_REPLY, args: (UInt64(bitPattern: result), 0, 0, 0, 0, 0))
    }

    public init?(packet: IKCPacket) {
        guard packet.type == MCOS_IKC_SYSCALL_REPLY else { return nil }
        self.init(result: Int64(bitPattern: packet.args.0))
    }

    /// Whether `result` is an error (Linux's convention: -Errno.maximum ... -1).
    public var isError: Bool { result < 0 && result >= -Errno.maximum }
}

/// MCOS_IKC_INVALIDATE {seq, start, bytes, flags}: the proxy drops its mappings of the
/// range and answers MCOS_IKC_INVALIDATE_ACK with the same seq. `processEnds`
/// (MCOS_INVALIDATE_END): the page tables are freed after the ACK, so Linux must not
/// walk them again, even before it reads PROC_EXIT.
public func invalidatePacket(seq: UInt64, start: UInt64, bytes: UInt64, processEnds: Bool = false) -> IKCPacket {
    IKCPacket(type: MCOS_IKC_INVALIDATE, seq: seq, args: (start, bytes, processEnds ? UInt64(MCOS_INVALIDATE_END) : 0, 0, 0, 0))
}

/// MCOS_IKC_PROC_EXIT: args[0] wait status, [1] fault address, [2] fault RIP.
public func procExitPacket(status: UInt32, faultAddress: UInt64, faultIP: UInt64) -> IKCPacket {
    IKCPacket(type: MCOS_IKC_PROC_EXIT, args: (UInt64(status), faultAddress, faultIP, 0, 0, 0))
}

/// MCOS_IKC_PROC_EXIT with MCOS_EXIT_EXEC: the program is gone for the one it execs,
/// which mcexec starts with `signals` (args[3...5]).
public func procExecPacket(signals: KeptSignals) -> IKCPacket {
    IKCPacket(type: MCOS_IKC_PROC_EXIT, args: (MCOS_EXIT_EXEC, 0, 0, signals.blocked, signals.pending, signals.ignored))
}
