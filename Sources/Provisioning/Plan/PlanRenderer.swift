import Foundation
import NodeBasics
import Topology

/// Plans as text for admins and as versioned JSON for scripts.
public enum PlanRenderer {
    public static func text(_ plan: Plan) -> String {
        var lines: [String] = []
        lines.append("Profile \"\(plan.profile.name)\" (\(plan.profile.path)) on \(plan.topology)")
        lines.append("")
        for instance in plan.partition.instances {
            lines += describe(instance)
        }
        lines.append("")
        if plan.changes.isEmpty {
            lines.append("No changes. The node matches the profile.")
            return lines.joined(separator: "\n")
        }
        lines.append(plan.applied == nil ? "Nothing is applied on this node. mcprov apply will:" : "mcprov apply will:")
        for change in plan.changes {
            let mark = change.action.symbol
            lines.append("  \(String(repeating: " ", count: 3 - mark.count))\(mark) \(change.text)  [\(impactLabel(change.impact))]")
        }
        lines.append("")
        lines.append(summaryLine(plan.summary))
        return lines.joined(separator: "\n")
    }

    public static func summaryLine(_ summary: Summary) -> String {
        var line = "Plan: \(summary.add) to add, \(summary.change) to change, \(summary.destroy) to destroy."
        switch summary.impact {
        case .creates?: line += " Creates the partition."
        case .inPlace?: line += " Applies in place: the LWK keeps running."
        case .restartsLWK?: line += " Restarts the LWK: programs running on it end."
        case .replacesPartition?: line += " Replaces the partition: programs running on the LWK end."
        case nil: break
        }
        return line
    }

    static func impactLabel(_ impact: Change.Impact) -> String {
        switch impact {
        case .creates: return "new"
        case .inPlace: return "in place"
        case .restartsLWK: return "restarts LWK"
        case .replacesPartition: return "replaces partition"
        }
    }

    static func describe(_ instance: ResolvedInstance) -> [String] {
        let memory = instance.memory.map { "\(formatBytes($0.bytes)) on NUMA \($0.numa) (\($0.kind.rawValue))" }.joined(separator: ", ")
        return [
            "os \(instance.index) \"\(instance.name)\"",
            "  cpus    \(instance.cpus) (\(instance.cpus.count) CPUs)",
            "  memory  \(memory) = \(formatBytes(instance.memoryBytes))",
            "  ikc     \(instance.ikc.map { "\($0.lwkCPUs) → \($0.linuxCPU)" }.joined(separator: ", "))",
            "  kernel  \(instance.kernelImage == "default" ? "default image" : instance.kernelImage), \"\(instance.kernelArgs)\"",
        ]
    }

    public static func json(_ plan: Plan) throws -> String {
        try encodeJSON(plan)
    }
}

/// Pretty, key-sorted, snake_case JSON: stable enough to diff and to keep as a golden file.
public func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Reads a partition written by `encodeJSON`.
public func decodePartition(_ data: Data) throws -> Partition {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(Partition.self, from: data)
}
