/// How the LWK's contexts sit on its CPUs (mcos_abi.h, "Contexts"): `perCPU` of them on
/// each of `cpus` CPUs, context c on CPU c % cpus, so that contexts 0..<cpus are each
/// CPU's first and a boot without time_sharing has exactly those.
public struct ContextLayout: Equatable, Sendable {
    public let cpus: Int
    public let perCPU: Int

    public init(cpus: Int, perCPU: Int) {
        self.cpus = max(cpus, 1)
        self.perCPU = max(perCPU, 1)
    }

    public var count: Int { cpus * perCPU }

    /// The CPU context `context` runs on.
    public func cpu(of context: Int) -> Int { context % cpus }

    /// The contexts of `cpu`, its first one first.
    public func contexts(on cpu: Int) -> [Int] { (0..<perCPU).map { cpu + $0 * cpus } }

    /// How many contexts a boot has: one per CPU, or with time_sharing `requested` per
    /// CPU within `most`, and within `mostInAll` over its `cpus` (what one IKC area
    /// can hold); and why fewer than asked, for the log.
    public static func perCPU(timeSharing: Bool, requested: Int, most: Int,
                              cpus: Int = 1, mostInAll: Int = Int.max) -> (Int, String?) {
        guard timeSharing else { return (1, nil) }
        let wanted = min(max(requested, 1), most)
        let fit = max(mostInAll / max(cpus, 1), 1)
        guard wanted > fit else { return (wanted, nil) }
        return (fit, "time_sharing=\(wanted) on \(cpus) CPUs: \(fit) contexts per CPU, as many as the IKC rings' area holds (\(mostInAll) in all)")
    }
}
