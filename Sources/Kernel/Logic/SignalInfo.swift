/// A signal's siginfo as Linux keeps it with a pending signal (kernel_siginfo: number,
/// errno, code and the 32-byte union `_sifields`) and as a handler with SA_SIGINFO reads
/// it: the 128-byte siginfo_t of asm-generic/siginfo.h, zero past the union.
///
///     0  si_signo   4  si_errno   8  si_code   16  the union:
///        kill, tkill:   16 si_pid  20 si_uid
///        sigqueue:      16 si_pid  20 si_uid  24 si_value
///        POSIX timer:   16 si_timerid  20 si_overrun  24 si_value
///        SIGCHLD:       16 si_pid  20 si_uid  24 si_status  32 si_utime  40 si_stime
///        faults:        16 si_addr
public struct SignalInfo: Sendable {
    public var signal: UInt32
    public var errno: Int32
    public var code: Int32
    /// The union, bytes 16 ..< 48 of siginfo_t, as four words.
    public var fields: (UInt64, UInt64, UInt64, UInt64)

    /// sizeof(siginfo_t).
    public static let bytes = 128
    static let signalOffset = 0, errnoOffset = 4, codeOffset = 8, fieldsOffset = 16

    public init(signal: UInt32, code: Int32, errno: Int32 = 0, fields: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)) {
        self.signal = signal
        self.errno = errno
        self.code = code
        self.fields = fields
    }

    /// From a program: kill(2) (SI_USER) or tkill/tgkill (SI_TKILL), with the sender.
    public static func sent(_ signal: UInt32, code: Int32 = SignalCode.user, pid: UInt32, uid: UInt32) -> SignalInfo {
        SignalInfo(signal: signal, code: code, fields: (UInt64(pid) | UInt64(uid) << 32, 0, 0, 0))
    }

    /// sigqueue(3) (SI_QUEUE), with the sender and the value it passes.
    public static func queued(_ signal: UInt32, pid: UInt32, uid: UInt32, value: UInt64) -> SignalInfo {
        SignalInfo(signal: signal, code: SignalCode.queue, fields: (UInt64(pid) | UInt64(uid) << 32, value, 0, 0))
    }

    /// A fault of the program: the signal, what kind (SEGV_MAPERR ...), and the address.
    public static func fault(_ signal: UInt32, code: Int32, address: UInt64) -> SignalInfo {
        SignalInfo(signal: signal, code: code, fields: (address, 0, 0, 0))
    }

    /// Sent by the kernel for no program (SI_KERNEL): a general-protection fault, a bad
    /// signal frame.
    public static func kernel(_ signal: UInt32) -> SignalInfo { SignalInfo(signal: signal, code: SignalCode.kernel) }

    /// SIGCHLD about a child: CLD_EXITED (`status` the exit code) or a signal's number,
    /// with its user and system time in clock ticks.
    public static func child(code: Int32, pid: UInt32, uid: UInt32, status: Int32, userTicks: Int64, systemTicks: Int64) -> SignalInfo {
        SignalInfo(signal: Signal.chld, code: code, fields: (UInt64(pid) | UInt64(uid) << 32, UInt64(UInt32(bitPattern: status)),
                                                          UInt64(bitPattern: userTicks), UInt64(bitPattern: systemTicks)))
    }

    public var pid: UInt32 { UInt32(truncatingIfNeeded: fields.0) }
    public var uid: UInt32 { UInt32(truncatingIfNeeded: fields.0 >> 32) }
    public var address: UInt64 { fields.0 }
    public var value: UInt64 { fields.1 }

    /// The siginfo_t a handler reads.
    public var image: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.bytes)
        bytes.setField(UInt64(signal), at: Self.signalOffset, size: 4)
        bytes.setField(UInt64(UInt32(bitPattern: errno)), at: Self.errnoOffset, size: 4)
        bytes.setField(UInt64(UInt32(bitPattern: code)), at: Self.codeOffset, size: 4)
        for (index, word) in [fields.0, fields.1, fields.2, fields.3].enumerated() { bytes.setWord(word, at: Self.fieldsOffset + 8 * index) }
        return bytes
    }
}

extension SignalInfo: Equatable {
    public static func == (a: SignalInfo, b: SignalInfo) -> Bool {
        a.signal == b.signal && a.errno == b.errno && a.code == b.code && a.fields == b.fields
    }
}
