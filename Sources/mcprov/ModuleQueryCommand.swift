import ArgumentParser
import NodeBasics
import NodeControl
import Provisioning
import Topology

struct ModuleQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Show what the kernel module holds: reserved CPUs, memory per NUMA node, OS instances.")

    @Flag(help: "Print JSON (format_version 1).")
    var json = false

    struct Report: Encodable {
        var formatVersion = 1
        var module: ModuleInfo
        var cpus: [ReservedCPU]
        var nodes: [NodeMemoryInfo]
        var chunks: [MemoryChunk]
        var instances: [InstanceStatus]
    }

    func run() throws {
        let module = try openModule()
        do {
            let info = try module.info()
            let report = Report(
                module: info, cpus: try module.reservedCPUs(), nodes: try Self.nodes(module, below: info.nodeIDLimit),
                chunks: try module.memoryChunks(),
                instances: (0..<info.maxInstances).compactMap { try? module.instance($0).status() })
            Console.out(json ? try encodeJSON(report) : text(report))
        } catch let error as ModuleError {
            throw error.exit()
        }
    }

    /// NUMA nodes that exist; numbering may be sparse.
    static func nodes(_ module: ModuleClient, below limit: Int) throws(ModuleError) -> [NodeMemoryInfo] {
        var nodes: [NodeMemoryInfo] = []
        for node in 0..<limit {
            do {
                nodes.append(try module.nodeInfo(node))
            } catch {
                guard error.kind == .invalidArgument else { throw error }
            }
        }
        return nodes
    }

    func text(_ report: Report) -> String {
        var lines = ["mcos module: ABI \(report.module.abiVersion), \(report.module.instances) of \(report.module.maxInstances) OS instances"]
        let cpus = CPUSet(report.cpus.map(\.cpu))
        let free = CPUSet(report.cpus.filter { $0.instance == nil }.map(\.cpu))
        lines.append("Reserved CPUs: \(cpus.isEmpty ? "none" : "\(cpus) (\(cpus.count); unassigned: \(free.isEmpty ? "none" : free.description))")")
        lines.append("Memory:")
        for node in report.nodes {
            let chunks = report.chunks.filter { $0.numaNode == node.node }
            let held = chunks.isEmpty ? "nothing reserved" : "\(formatBytes(node.reservedBytes)) reserved in \(chunks.count) chunk\(chunks.count == 1 ? "" : "s")"
            lines.append("  NUMA \(node.node)\(node.hasCPUs ? "" : " (no CPUs)"): \(held); \(formatBytes(node.freeBytes)) free, floor \(formatBytes(node.floorBytes))")
        }
        lines.append("OS instances:\(report.instances.isEmpty ? " none" : "")")
        for instance in report.instances {
            lines.append("  os \(instance.index): \(instance.state.rawValue), \(instance.cpus) CPUs, \(formatBytes(instance.memoryBytes))")
        }
        return lines.joined(separator: "\n")
    }
}
