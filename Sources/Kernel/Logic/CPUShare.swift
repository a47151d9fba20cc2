import CMcosABI

/// The LWK CPUs a process may run on (mcexec -n: its rank's share of the instance), as
/// mcos_proc_create's cpu_mask and MCOS_IKC_PROC_CPUS carry it: bit n = LWK CPU n, in
/// MCOS_CPU_MASK_WORDS words; every bit clear means every CPU. Its threads and its
/// forks' children stay within it.
public struct CPUShare: Equatable, Sendable {
    public var words: (UInt64, UInt64, UInt64, UInt64)

    public static let all = CPUShare(words: (0, 0, 0, 0))

    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    public static func == (a: CPUShare, b: CPUShare) -> Bool { a.words == b.words }

    public var isAll: Bool { words == (0, 0, 0, 0) }

    /// Whether a thread of the process may run on LWK CPU `cpu`.
    public func contains(_ cpu: Int) -> Bool {
        if isAll { return true }
        guard cpu >= 0, cpu < 256 else { return false }
        let word: UInt64
        switch cpu / 64 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return word >> UInt64(cpu % 64) & 1 != 0
    }

    /// The CPUs of `count` (an instance's) it names.
    public func members(of count: Int) -> [Int] {
        (0..<max(count, 0)).filter { isAll || contains($0) }
    }
}
