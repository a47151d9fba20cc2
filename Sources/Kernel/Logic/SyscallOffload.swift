/// An offloaded system call as it crosses IKC: one 64-byte packet each way on the
/// calling LWK CPU's channel. PROPOSED: mcos_abi.h does not define these yet; the C
/// side would be (same bytes, little-endian):
///
///     MCOS_IKC_SYSCALL = 4 (LWK->Linux), MCOS_IKC_SYSCALL_REPLY = 5 (Linux->LWK)
///     struct mcos_ikc_syscall {           // 64 bytes, overlays mcos_ikc_packet
///         uint32_t version, type;
///         uint32_t number;                // x86-64 syscall number
///         uint32_t tid;                   // calling thread (a proxy worker's Linux tid)
///         uint64_t args[6];               // request: rdi rsi rdx r10 r8 r9
///     };                                  // reply: args[0] = result (-errno), args[1] = flags
///
/// `number` and `tid` sit where `mcos_ikc_packet.seq` is, so the existing ring code
/// carries them unchanged: seq = number | tid << 32. The tid both routes the request to
/// the proxy thread that owns it and matches the reply (a thread has at most one call
/// in flight), so no separate sequence number is needed.
public struct SyscallRequest: Equatable {
    public var number: UInt32
    public var tid: UInt32
    public var arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(number: UInt32, tid: UInt32, arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)) {
        self.number = number
        self.tid = tid
        self.arguments = arguments
    }

    public static func == (a: SyscallRequest, b: SyscallRequest) -> Bool {
        a.packet == b.packet
    }

    public static let packetType: UInt32 = 4

    public var packet: IKCPacket {
        IKCPacket(type: Self.packetType, seq: UInt64(number) | UInt64(tid) << 32, args: arguments)
    }

    /// nil if `packet` is not a syscall request.
    public init?(packet: IKCPacket) {
        guard packet.type == Self.packetType else { return nil }
        self.init(number: UInt32(truncatingIfNeeded: packet.seq), tid: UInt32(truncatingIfNeeded: packet.seq >> 32), arguments: packet.args)
    }
}

public struct SyscallReply: Equatable {
    public var number: UInt32
    public var tid: UInt32
    /// What the syscall returned in rax: a value, or -errno (-4095...-1).
    public var result: Int64
    /// The proxy's call was interrupted by a signal for the thread (EINTR semantics:
    /// the LWK delivers the signal, then returns or restarts).
    public var interrupted: Bool

    public init(number: UInt32, tid: UInt32, result: Int64, interrupted: Bool = false) {
        self.number = number
        self.tid = tid
        self.result = result
        self.interrupted = interrupted
    }

    public static let packetType: UInt32 = 5
    public static let interruptedFlag: UInt64 = 1

    /// The reply to `request`.
    public init(answering request: SyscallRequest, result: Int64, interrupted: Bool = false) {
        self.init(number: request.number, tid: request.tid, result: result, interrupted: interrupted)
    }

    public var packet: IKCPacket {
        IKCPacket(type: Self.packetType, seq: UInt64(number) | UInt64(tid) << 32,
                  args: (UInt64(bitPattern: result), interrupted ? Self.interruptedFlag : 0, 0, 0, 0, 0))
    }

    public init?(packet: IKCPacket) {
        guard packet.type == Self.packetType else { return nil }
        self.init(number: UInt32(truncatingIfNeeded: packet.seq), tid: UInt32(truncatingIfNeeded: packet.seq >> 32),
                  result: Int64(bitPattern: packet.args.0), interrupted: packet.args.1 & Self.interruptedFlag != 0)
    }

    /// Whether `result` is an error (Linux's convention: -4095 ... -1).
    public var isError: Bool { result < 0 && result >= -4095 }
}
