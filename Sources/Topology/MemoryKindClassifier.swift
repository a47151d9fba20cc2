import Foundation
import NodeBasics

/// Decides what kind of memory each NUMA node holds, and says why.
///
/// hwloc labels Knights Landing MCDRAM (subtype `MCDRAM`) only when its KNL support
/// could read the BIOS mode; many recorded topologies lack the label. Without it we use
/// what the hardware shape tells: on-package memory (MCDRAM, HBM) appears as a CPU-less
/// node, smaller than the nodes that have CPUs, and farther from every CPU in the SLIT
/// than the CPU nodes are from each other. The CPU model then says which it is; when it
/// does not, the node stays `unknown` rather than guessed (a CPU-less node may also be
/// CXL or persistent memory).
public enum MemoryKindClassifier {
    public static func classify(
        _ nodes: [NUMANode], distances: DistanceMatrix?, machine: Machine
    ) -> [NUMANode] {
        let cpuNodes = nodes.filter { !$0.isCPULess }
        return nodes.map { node in
            var node = node
            (node.kind, node.kindReason) = kind(of: node, cpuNodes: cpuNodes, distances: distances, machine: machine)
            return node
        }
    }

    static func kind(
        of node: NUMANode, cpuNodes: [NUMANode], distances: DistanceMatrix?, machine: Machine
    ) -> (MemoryKind, String) {
        if let subtype = node.subtype {
            switch subtype.uppercased() {
            case "MCDRAM": return (.mcdram, "hwloc labels it MCDRAM")
            case "HBM": return (.hbm, "hwloc labels it HBM")
            case "DRAM", "DDR": return (.ddr, "hwloc labels it \(subtype)")
            default: return (.unknown, "hwloc labels it \(subtype), which is neither DDR nor on-package memory")
            }
        }
        if !node.isCPULess {
            return (.ddr, "has CPUs and no label: ordinary DRAM")
        }
        guard let smallestCPUNode = cpuNodes.min(by: { $0.memoryBytes < $1.memoryBytes }) else {
            return (.unknown, "CPU-less, and no node has CPUs to compare it with")
        }
        guard node.memoryBytes < smallestCPUNode.memoryBytes else {
            return (.unknown, "CPU-less but not smaller than the nodes with CPUs (\(formatBytes(node.memoryBytes)) vs \(formatBytes(smallestCPUNode.memoryBytes)))")
        }
        var evidence = "CPU-less, smaller than the CPU nodes (\(formatBytes(node.memoryBytes)) vs \(formatBytes(smallestCPUNode.memoryBytes)))"
        if let distances {
            let nearest = cpuNodes.compactMap { distances.distance(from: $0.osIndex, to: node.osIndex) }.min()
            let spread = cpuNodes.flatMap { a in cpuNodes.compactMap { distances.distance(from: a.osIndex, to: $0.osIndex) } }.max()
            if let nearest, let spread {
                guard nearest > spread else {
                    return (.unknown, evidence + ", but not farther than the CPU nodes are from each other (distance \(nearest) vs \(spread))")
                }
                evidence += ", and farther from every CPU (distance \(nearest) vs \(spread))"
            }
        } else {
            evidence += " (no SLIT to compare distances)"
        }
        if machine.isXeonPhi {
            return (.mcdram, evidence + " on a Xeon Phi: MCDRAM")
        }
        if let model = machine.cpuModel, model.range(of: "Max", options: .caseInsensitive) != nil
            || model.range(of: "HBM", options: .caseInsensitive) != nil
        {
            return (.hbm, evidence + " on a CPU with on-package HBM (\(model))")
        }
        return (.unknown, evidence + ", but the CPU model does not say which on-package memory it is")
    }
}
