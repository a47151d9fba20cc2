import NodeBasics
import Topology

/// Memory asked of each NUMA node over all instances, with the places that asked, so
/// that an over-commitment is reported where it happens.
struct NodeMemoryLedger {
    var requests: [Int: [(bytes: UInt64, location: SourceLocation)]] = [:]

    mutating func add(_ bytes: UInt64, on node: Int, at location: SourceLocation) {
        requests[node, default: []].append((bytes, location))
    }

    func check(on topology: Topology, applied: Partition?, diagnostics: inout Diagnostics) {
        for (index, asks) in requests.sorted(by: { $0.key < $1.key }) {
            guard let node = topology.numaNode(osIndex: index) else { continue }
            let total = asks.reduce(0) { $0 + $1.bytes }
            let held = applied?.memoryByNode[index] ?? 0
            let limit = MemoryFloor.limit(for: node, live: topology.live, heldByUs: held)
            guard total > limit else { continue }
            var facts = "the node has \(formatBytes(node.memoryBytes))"
            if let free = topology.live?.freeBytes[index] {
                facts += ", \(formatBytes(free + held)) of it free"
            }
            facts += ", and Linux keeps \(formatBytes(MemoryFloor.bytes(for: node)))"
            let asked = asks.count == 1 ? "" : " in all (\(asks.count) requests)"
            diagnostics.error(
                "asks \(formatBytes(total))\(asked) of NUMA \(index) (\(node.kind.rawValue)), but at most \(formatBytes(limit)) can be taken: \(facts)",
                at: asks.last!.location,
                hint: "ask for less, a percentage, or `all`; Linux's floor is \(MemoryFloor.describe(for: node))")
        }
    }
}

extension Resolver {
    mutating func resolveMemory(_ specs: [MemorySpec], ledger: inout NodeMemoryLedger) -> [NodeMemory] {
        var result: [NodeMemory] = []
        var chosenAt: [Int: SourceLocation] = [:]
        for spec in specs {
            for node in nodes(for: spec.numa) {
                if let earlier = chosenAt[node.osIndex] {
                    diagnostics.error(
                        "NUMA \(node.osIndex) is already given memory at line \(earlier.line)", at: spec.numa.location,
                        hint: "give each NUMA node one size; a kind (`mcdram`) covers every node of that kind")
                    continue
                }
                chosenAt[node.osIndex] = spec.numa.location
                guard let bytes = size(spec.size, of: node) else { continue }
                ledger.add(bytes, on: node.osIndex, at: spec.size.location)
                result.append(NodeMemory(numa: node.osIndex, kind: node.kind, bytes: bytes))
            }
        }
        return result
    }

    mutating func nodes(for selector: Located<NodeSelector>) -> [NUMANode] {
        let listing = topology.numaNodes.map { "\($0.osIndex) (\($0.kind.rawValue))" }.joined(separator: ", ")
        switch selector.value {
        case .osIndex(let index):
            guard let node = topology.numaNode(osIndex: index) else {
                diagnostics.error(
                    "NUMA node \(index) does not exist on this node", at: selector.location,
                    hint: "its NUMA nodes are \(listing)")
                return []
            }
            if node.memoryBytes == 0 {
                diagnostics.error("NUMA \(index) has no memory", at: selector.location, hint: "its NUMA nodes are \(listing)")
                return []
            }
            return [node]
        case .kind(let kind):
            let matching = topology.numaNodes.filter { $0.kind == kind }
            if matching.isEmpty {
                let why = kind == .mcdram || kind == .hbm
                    ? "; in cache mode, or on CPUs without on-package memory, there is none to reserve"
                    : ""
                diagnostics.error(
                    "this node has no \(kind.rawValue) NUMA node\(why)", at: selector.location,
                    hint: "its NUMA nodes are \(listing); name one by number or use another kind")
            }
            return matching
        }
    }

    /// Bytes for one node. Absolute sizes must sit on the granule (`MemoryGranule`); percentages and
    /// `all` are rounded down to it.
    mutating func size(_ spec: Located<SizeSpec>, of node: NUMANode) -> UInt64? {
        switch spec.value {
        case .bytes(let bytes):
            guard bytes > 0 else {
                diagnostics.error("a memory size of 0 reserves nothing", at: spec.location, hint: "remove the entry or give a size")
                return nil
            }
            guard MemoryGranule.isAligned(bytes) else {
                let below = MemoryGranule.roundDown(bytes)
                let above = below + MemoryGranule.bytes
                diagnostics.error(
                    "\(formatBytes(bytes)) is not a multiple of \(MemoryGranule.text)", at: spec.location,
                    hint: "LWK memory comes in \(MemoryGranule.text) chunks: use \(below >> 20)M or \(above >> 20)M")
                return nil
            }
            return bytes
        case .percent(let percent):
            let bytes = MemoryGranule.roundDown(UInt64(Double(node.memoryBytes) * percent / 100))
            if bytes == 0 {
                diagnostics.error("\(percent)% of NUMA \(node.osIndex) is less than \(MemoryGranule.text)", at: spec.location)
                return nil
            }
            return bytes
        case .all:
            let held = applied?.memoryByNode[node.osIndex] ?? 0
            let bytes = MemoryFloor.limit(for: node, live: topology.live, heldByUs: held)
            if bytes == 0 {
                diagnostics.error(
                    "NUMA \(node.osIndex) has nothing to give beyond what Linux keeps", at: spec.location,
                    hint: "Linux's floor is \(MemoryFloor.describe(for: node))")
                return nil
            }
            return bytes
        }
    }
}
