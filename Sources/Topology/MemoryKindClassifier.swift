import Foundation
import NodeBasics

/// Decides what kind of memory each NUMA node holds, and says why.
///
/// hwloc's own word comes first. It labels Knights Landing MCDRAM (subtype `MCDRAM`)
/// when its KNL support could read the BIOS mode, and since 2.8 labels Linux nodes
/// `DRAM`, `HBM`, `SPM` or `NVM` from the memory tiers the firmware describes. Without a
/// label, hwloc's memory attributes (the firmware's HMAT: bandwidth per node) tell a
/// CPU-less node much faster than the nodes with CPUs — on-package memory — from a
/// slower one (CXL, persistent memory). Without those, the hardware's shape decides:
/// on-package memory (MCDRAM, HBM) appears as a CPU-less node, smaller than the nodes
/// that have CPUs, and farther from them in the SLIT than their own memory; the CPU
/// model then says which it is. When nothing does, the node stays `unknown` rather
/// than guessed.
public enum MemoryKindClassifier {
    /// How much more bandwidth than the nodes with CPUs makes a node on-package memory:
    /// HBM and MCDRAM give several times DDR's, DDR channels on another die or socket
    /// never more than DDR itself.
    static let highBandwidthRatio = 1.5

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
        let bandwidth = BandwidthComparison(node: node, cpuNodes: cpuNodes)
        if let subtype = node.subtype {
            switch subtype.uppercased() {
            case "MCDRAM": return (.mcdram, "hwloc labels it MCDRAM")
            case "HBM": return (.hbm, "hwloc labels it HBM")
            case "DRAM", "DDR": return (.ddr, "hwloc labels it \(subtype)")
            case "SPM":
                // Specific-purpose memory: set aside by the firmware, most often HBM.
                let label = "hwloc labels it SPM (memory the firmware sets aside for specific use)"
                if let bandwidth, bandwidth.isHigh {
                    return (onPackageKind(machine), label + ", and \(bandwidth.description)")
                }
                return (.unknown, label + ", and no memory attribute shows it faster than the nodes with CPUs")
            default: return (.unknown, "hwloc labels it \(subtype), which is neither DDR nor on-package memory")
            }
        }
        if !node.isCPULess {
            return (.ddr, "has CPUs and no label: ordinary DRAM")
        }
        if let bandwidth {
            if bandwidth.isHigh {
                return (onPackageKind(machine), "CPU-less, and \(bandwidth.description): on-package high-bandwidth memory")
            }
            if bandwidth.isLow {
                return (.unknown, "CPU-less, and \(bandwidth.description): slower memory (CXL or persistent memory), not on-package")
            }
        }
        return kindFromShape(of: node, cpuNodes: cpuNodes, distances: distances, machine: machine)
    }

    /// What on-package memory is called on this CPU.
    static func onPackageKind(_ machine: Machine) -> MemoryKind {
        machine.isXeonPhi ? .mcdram : .hbm
    }

    /// The shape of on-package memory, without labels or attributes: CPU-less, smaller
    /// than the nodes with CPUs, farther than their own memory, on a CPU that has it.
    static func kindFromShape(
        of node: NUMANode, cpuNodes: [NUMANode], distances: DistanceMatrix?, machine: Machine
    ) -> (MemoryKind, String) {
        guard let smallestCPUNode = cpuNodes.min(by: { $0.memoryBytes < $1.memoryBytes }) else {
            return (.unknown, "CPU-less, and no node has CPUs to compare it with")
        }
        guard node.memoryBytes < smallestCPUNode.memoryBytes else {
            return (.unknown, "CPU-less but not smaller than the nodes with CPUs (\(formatBytes(node.memoryBytes)) vs \(formatBytes(smallestCPUNode.memoryBytes)))")
        }
        let hbmModel = machine.cpuModel.flatMap { model in
            model.range(of: "Max", options: .caseInsensitive) != nil || model.range(of: "HBM", options: .caseInsensitive) != nil ? model : nil
        }
        var evidence = "CPU-less, smaller than the CPU nodes (\(formatBytes(node.memoryBytes)) vs \(formatBytes(smallestCPUNode.memoryBytes)))"
        if let distances {
            let nearest = cpuNodes.compactMap { distances.distance(from: $0.osIndex, to: node.osIndex) }.min()
            let spread = cpuNodes.flatMap { a in cpuNodes.compactMap { distances.distance(from: a.osIndex, to: $0.osIndex) } }.max()
            let local = cpuNodes.compactMap { distances.distance(from: $0.osIndex, to: $0.osIndex) }.max()
            if let nearest, let spread {
                if nearest > spread {
                    evidence += ", and farther from every CPU (distance \(nearest) vs \(spread))"
                } else if hbmModel != nil, let local, nearest > local {
                    // Xeon CPU Max: the firmware puts each HBM node just beyond its
                    // package's DDR and nearer than the other package's.
                    evidence += ", and beyond the CPUs' own memory (distance \(nearest) vs \(local))"
                } else {
                    return (.unknown, evidence + ", but not farther than the CPU nodes are from each other (distance \(nearest) vs \(spread))")
                }
            }
        } else {
            evidence += " (no SLIT to compare distances)"
        }
        if machine.isXeonPhi {
            return (.mcdram, evidence + " on a Xeon Phi: MCDRAM")
        }
        if let hbmModel {
            return (.hbm, evidence + " on a CPU with on-package HBM (\(hbmModel))")
        }
        return (.unknown, evidence + ", but the CPU model does not say which on-package memory it is")
    }
}

/// A node's best bandwidth against the best of the nodes with CPUs, from hwloc's memory
/// attributes; nil when either is unknown.
struct BandwidthComparison: CustomStringConvertible {
    var node: UInt64
    var cpuNodes: UInt64

    init?(node: NUMANode, cpuNodes: [NUMANode]) {
        guard let own = node.bandwidth, let best = cpuNodes.compactMap(\.bandwidth).max(), best > 0 else { return nil }
        self.node = own
        self.cpuNodes = best
    }

    var ratio: Double { Double(node) / Double(cpuNodes) }
    var isHigh: Bool { ratio >= MemoryKindClassifier.highBandwidthRatio }
    var isLow: Bool { ratio < 1 }

    /// "hwloc's memory attributes give it 977 GiB/s against 244 GiB/s for the nodes with CPUs"
    var description: String {
        "hwloc's memory attributes give it \(Self.rate(node)) against \(Self.rate(cpuNodes)) for the nodes with CPUs"
    }

    static func rate(_ mebibytesPerSecond: UInt64) -> String {
        formatBytes(mebibytesPerSecond << 20) + "/s"
    }
}
