/// Reads a Xeon Phi's cluster mode and memory mode: from hwloc when it recorded them
/// (root infos `ClusterMode` / `MemoryMode`), otherwise inferred from the NUMA layout.
enum KnightsLandingModes {
    static func read(
        hwlocClusterMode: String?, hwlocMemoryMode: String?, machine: Machine,
        nodes: [NUMANode], memorySideCaches: Int
    ) -> (cluster: ModeReading?, memory: ModeReading?) {
        let fromHwloc = "recorded by hwloc from the BIOS settings"
        var cluster = hwlocClusterMode.map { ModeReading(candidates: [$0.lowercased()], source: fromHwloc, isInferred: false) }
        var memory = hwlocMemoryMode.map { ModeReading(candidates: [$0.lowercased()], source: fromHwloc, isInferred: false) }
        guard machine.isXeonPhi || cluster != nil || memory != nil else { return (nil, nil) }

        let mcdramNodes = nodes.filter { $0.kind == .mcdram }.count
        let cpuNodes = nodes.filter { !$0.isCPULess }.count
        if memory == nil {
            let inferred: [String]?
            switch (mcdramNodes > 0, memorySideCaches > 0) {
            case (true, false): inferred = ["flat"]
            case (true, true): inferred = ["hybrid25", "hybrid50"]
            case (false, true): inferred = ["cache"]
            case (false, false): inferred = nil
            }
            memory = inferred.map {
                ModeReading(candidates: $0, source: "inferred: \(mcdramNodes) MCDRAM node(s), \(memorySideCaches) memory-side cache(s)", isInferred: true)
            }
        }
        if cluster == nil {
            let inferred: [String]
            switch cpuNodes {
            case 4: inferred = ["snc4"]
            case 2: inferred = ["snc2"]
            case 1: inferred = ["quadrant", "hemisphere", "all2all"]
            default: inferred = []
            }
            if !inferred.isEmpty {
                cluster = ModeReading(candidates: inferred, source: "inferred: \(cpuNodes) NUMA node(s) with CPUs", isInferred: true)
            }
        }
        return (cluster, memory)
    }
}
