import ArgumentParser
import Foundation
import NodeBasics
import NodeOperations
import Provisioning

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what is applied: profile, instance states, CPUs, memory, drift, the LWK's last log lines.",
        discussion: """
            The kernel module is the truth; the state record in /run/mcprov adds what it cannot
            say (profile, names, IKC map, kernel arguments). Differences are shown as drift with
            what to do. Exit status: 0 applied and running as recorded, 1 error, 2 applied with
            drift or an instance not running, 3 nothing applied.
            """)

    @Flag(help: "Print JSON (format_version 1).")
    var json = false

    struct Report: Encodable {
        var formatVersion = 1
        var record: StateRecord?
        var applied: Partition?
        var module: NodeView
        var drift: [Drift]
        var kmsgTail: [Int: [String]]
        /// Seconds since each running instance's LWK reported running, from the module.
        var uptimeSeconds: [Int: Double]
    }

    func run() throws {
        let module = try openModule()
        let state = try readNodeState(module)
        let details = InstanceDetails.read(module, for: state.view)
        state.notes.forEach { Console.error("mcprov: \($0)") }
        if json {
            Console.out(try encodeJSON(Report(
                record: state.record, applied: state.applied, module: state.view, drift: state.drift,
                kmsgTail: details.kmsgTail, uptimeSeconds: details.uptimeSeconds)))
        } else {
            Console.out(text(state, tails: details.kmsgTail, uptimes: details.uptimeSeconds))
        }
        switch state.verdict {
        case .nothingApplied: throw ExitCode(3)
        case .drifted: throw ExitCode(2)
        case .asRecorded: return
        }
    }

    func text(_ state: NodeState, tails: [Int: [String]], uptimes: [Int: Double]) -> String {
        guard let applied = state.applied else {
            return "Nothing is applied on this node: the kernel module holds no CPUs, memory or instances."
        }
        var lines: [String] = []
        if let record = state.record {
            let formatter = ISO8601DateFormatter()
            lines.append("Profile \"\(record.profile.name)\" (\(record.profile.path), sha256 \(record.profile.sha256.prefix(12))…)")
            lines.append("Applied \(formatter.string(from: record.appliedAt)), last changed \(formatter.string(from: record.updatedAt)) (serial \(record.serial))")
        } else {
            lines.append("No state record: what follows is rebuilt from the kernel module.")
        }
        for instance in applied.instances {
            let live = state.view.instances.first { $0.index == instance.index }
            var stateText = live?.state.rawValue ?? "missing"
            if stateText == "running", let uptime = uptimes[instance.index] {
                stateText += ", up \(Self.duration(uptime))"
            }
            lines.append("")
            lines.append("os \(instance.index) \"\(instance.name)\": \(stateText)")
            lines.append("  cpus    \(instance.cpus) (\(instance.cpus.count))")
            let servers = CPUSet(instance.ikc.map(\.linuxCPU))
            lines.append("  served  by Linux CPUs \(servers.isEmpty ? "unknown" : servers.description)")
            lines.append("  memory  \(instance.memory.map { "\(formatBytes($0.bytes)) on NUMA \($0.numa)" }.joined(separator: ", "))")
            lines.append("  kernel  \"\(instance.kernelArgs)\"")
            if let tail = tails[instance.index], !tail.isEmpty {
                lines.append("  log     (last \(tail.count) lines; `mcprov kmsg` has all)")
                lines += tail.map { "    \($0)" }
            }
        }
        if !state.drift.isEmpty {
            lines.append("")
            lines.append("Drift between the record and the module:")
            for item in state.drift {
                lines.append("  ! \(item.what)")
                lines.append("    \(item.remedy)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds)
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}
