import Foundation
import NodeBasics

/// How a topology reads to a human (`mcprov topology`) and to a script (`--json`).
public enum TopologyReport {
    /// A compact summary in the spirit of `lstopo`'s console output.
    public static func text(_ topology: Topology) -> String {
        var lines: [String] = []
        let machine = topology.machine
        lines.append("Machine: \(machine.cpuModel ?? "unknown CPU model")  (\(topology.source))")
        if let cluster = machine.clusterMode {
            let memory = machine.memoryMode.map { ", memory mode \($0.description)" } ?? ""
            let source = machine.clusterMode?.isInferred == true || machine.memoryMode?.isInferred == true ? " (inferred from the NUMA layout)" : ""
            lines.append("Xeon Phi: cluster mode \(cluster.description)\(memory)\(source)")
        }
        let threads = topology.uniformThreadsPerCore.map { " × \($0) thread\($0 == 1 ? "" : "s")" } ?? " (mixed threads per core)"
        lines.append("\(topology.packages.count) package\(topology.packages.count == 1 ? "" : "s"), \(topology.cores.count) cores\(threads) = \(topology.cpus.count) CPUs, \(topology.numaNodes.count) NUMA node\(topology.numaNodes.count == 1 ? "" : "s")")
        for (index, package) in topology.packages.enumerated() {
            lines.append("  Package \(package.osIndex ?? index): CPUs \(package.cpus)")
        }
        let sizes = topology.numaNodes.map { formatBytes($0.memoryBytes) }
        let sizeWidth = sizes.map(\.count).max() ?? 0
        for (node, size) in zip(topology.numaNodes, sizes) {
            let cpus = node.isCPULess ? (node.nearCPUs.isEmpty ? "no CPUs" : "no CPUs, near \(node.nearCPUs)") : "CPUs \(node.cpus)"
            var line = "  NUMA \(node.osIndex)  \(node.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(repeating: " ", count: sizeWidth - size.count))\(size)  \(cpus)"
            if let free = topology.live?.freeBytes[node.osIndex] { line += "  (\(formatBytes(free)) free)" }
            lines.append(line)
            lines.append("          kind: \(node.kindReason)")
        }
        if let distances = topology.distances {
            lines.append("NUMA distances:")
            let width = max(4, (distances.values.flatMap { $0 }.map { "\($0)".count } + distances.nodes.map { "\($0)".count }).max()! + 2)
            func pad(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            lines.append("  " + pad("") + distances.nodes.map { pad("\($0)") }.joined())
            for (node, row) in zip(distances.nodes, distances.values) {
                lines.append("  " + pad("\(node)") + row.map { pad("\($0)") }.joined())
            }
        }
        if let live = topology.live {
            let offline = live.offlineCPUs
            lines.append("Online CPUs: \(live.onlineCPUs)" + (offline.isEmpty ? "" : "; offline: \(offline)"))
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ topology: Topology) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(Document(topology)), as: UTF8.self)
    }

    /// The JSON document. Field names are part of the interface: add, never rename.
    struct Document: Encodable {
        static let formatVersion = 1

        struct Node: Encodable {
            var osIndex: Int
            var memoryBytes: UInt64
            var kind: MemoryKind
            var kindReason: String
            var subtype: String?
            var cpuLess: Bool
            var cpus: CPUSet
            var nearCpus: CPUSet
            var freeBytes: UInt64?
        }

        var formatVersion = Document.formatVersion
        var source: String
        var machine: Machine
        var packages: [Package]
        var cores: Int
        var pus: Int
        var threadsPerCore: Int?
        var cpus: CPUSet
        var coreList: [[Int]]
        var numaNodes: [Node]
        var distances: DistanceMatrix?
        var onlineCpus: CPUSet?
        var offlineCpus: CPUSet?

        init(_ topology: Topology) {
            source = topology.source.description
            machine = topology.machine
            packages = topology.packages
            cores = topology.cores.count
            pus = topology.cpus.count
            threadsPerCore = topology.uniformThreadsPerCore
            cpus = topology.cpus
            coreList = topology.cores.map(\.cpus)
            numaNodes = topology.numaNodes.map {
                Node(osIndex: $0.osIndex, memoryBytes: $0.memoryBytes, kind: $0.kind, kindReason: $0.kindReason,
                     subtype: $0.subtype, cpuLess: $0.isCPULess, cpus: $0.cpus, nearCpus: $0.nearCPUs, freeBytes: topology.live?.freeBytes[$0.osIndex])
            }
            distances = topology.distances
            onlineCpus = topology.live?.onlineCPUs
            offlineCpus = topology.live?.offlineCPUs
        }
    }
}
