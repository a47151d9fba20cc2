import NodeBasics
/// Gives each CPU to exactly one NUMA node, as Linux does.
///
/// hwloc 2 gives a NUMA node the CPU set of the object it hangs under, so a KNL's MCDRAM
/// node in SNC-4 mode, or a Xeon Max HBM node, shows the same CPUs as the DDR node next to
/// it, although Linux lists those CPUs only under the DDR node and calls the MCDRAM node
/// CPU-less. When several nodes share one CPU set, the CPUs go to the one that looks like
/// ordinary DRAM: no on-package label first, then the most memory, then the lowest OS
/// index. The others become CPU-less, and keep the shared set as the CPUs they are near.
enum NUMALocality {
    static func assignCPUs(_ nodes: [NUMANode]) -> [NUMANode] {
        var result = nodes
        let groups = Dictionary(grouping: nodes.indices.filter { !nodes[$0].cpus.isEmpty }) { nodes[$0].cpus }
        for (_, members) in groups where members.count > 1 {
            let owner = members.min { a, b in
                let x = nodes[a], y = nodes[b]
                if isOnPackageLabel(x.subtype) != isOnPackageLabel(y.subtype) { return !isOnPackageLabel(x.subtype) }
                if x.memoryBytes != y.memoryBytes { return x.memoryBytes > y.memoryBytes }
                return x.osIndex < y.osIndex
            }!
            for index in members where index != owner {
                result[index].nearCPUs = result[index].cpus
                result[index].cpus = CPUSet()
            }
        }
        return result
    }

    static func isOnPackageLabel(_ subtype: String?) -> Bool {
        guard let subtype = subtype?.uppercased() else { return false }
        return subtype != "DRAM" && subtype != "DDR"
    }
}
