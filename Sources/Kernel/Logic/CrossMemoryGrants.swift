/// The proxy's recent yeses to process_vm_readv and process_vm_writev between two
/// programs (MCOS_PROXY_CMA_ALLOWED). An MPI rank copies from the same few peers, a
/// large message in pieces (UCX: 512 KiB a call), and asking Linux each time cost an
/// offloaded round trip per piece, a quarter of the copy's time. Linux checks every
/// call, so a yes is kept only while Linux would still say it:
/// - for the same program: its pid and its serial (a pid used again is another program);
/// - while no program on this LWK changed what ptrace's check looks at (the generation,
///   moved by set*id, setgroups, capset and prctl, of any program: the caller's
///   credentials, the other's, its dumpability, its PR_SET_PTRACER; an exec on the LWK
///   leaves the mcexec that Linux checks as it was);
/// - for at most a second (`until`, in the caller's clock), so that an administrator's
///   change of Yama's ptrace_scope reaches running programs within it.
/// A no is never kept: the next call asks again.
public struct CrossMemoryGrants {
    public struct Grant: Equatable {
        public var pid: UInt64
        public var serial: UInt64
        public var writing: Bool
        public var generation: UInt32
        public var until: UInt64

        public init(pid: UInt64, serial: UInt64, writing: Bool, generation: UInt32, until: UInt64) {
            self.pid = pid
            self.serial = serial
            self.writing = writing
            self.generation = generation
            self.until = until
        }
    }

    /// Grants kept at most: the peers a rank copies from at once; the oldest goes first.
    public static let capacity = 8

    private var grants: [Grant] = []
    private var oldest = 0

    public init() {
        grants.reserveCapacity(Self.capacity)
    }

    /// Whether a kept yes answers this call: the same program, the same direction, the
    /// same generation, and not expired at `now`.
    public func allows(pid: UInt64, serial: UInt64, writing: Bool, generation: UInt32, now: UInt64) -> Bool {
        grants.contains { $0.pid == pid && $0.serial == serial && $0.writing == writing && $0.generation == generation && now < $0.until }
    }

    /// Keeps a yes, in place of the one for the same program and direction, else of the
    /// oldest when all places are taken. Never grows past `capacity` (no allocation once
    /// the first places are made).
    public mutating func keep(_ grant: Grant) {
        if let index = grants.firstIndex(where: { $0.pid == grant.pid && $0.writing == grant.writing }) {
            grants[index] = grant
        } else if grants.count < Self.capacity {
            grants.append(grant)
        } else {
            grants[oldest] = grant
            oldest = (oldest + 1) % Self.capacity
        }
    }

    /// A new program: nothing granted yet.
    public mutating func forgetAll() {
        grants.removeAll(keepingCapacity: true)
        oldest = 0
    }
}

extension Syscall {
    /// The offloaded calls after which ptrace's check may answer differently for some
    /// pair of programs (credentials, capabilities, dumpability, the ptracer a program
    /// names): each moves the LWK's generation of cross-memory grants.
    public var mayChangeProcessAccess: Bool {
        switch self {
        case .setuid, .setgid, .setreuid, .setregid, .setresuid, .setresgid, .setfsuid, .setfsgid, .setgroups, .capset, .prctl:
            return true
        default:
            return false
        }
    }
}
