import CMcosABI
import NodeBasics
import Topology

/// How much memory of a NUMA node Linux always keeps, whatever the profile says.
///
/// A node with CPUs runs Linux's own work (the kernel, page cache, the proxy processes
/// serving the LWK): it keeps 5 % and at least 256 MiB. A CPU-less node (MCDRAM, HBM)
/// hosts little Linux state: it keeps 2 % and at least 64 MiB. These are the caps behind
/// `all` and the limit every request is checked against; on the live node the limit is
/// also taken from what is free now.
public enum MemoryFloor {
    // The kernel module enforces the same floor (kmod/mcos_abi.h): one definition.
    static let cpuPercent = UInt64(MCOS_FLOOR_CPU_PERCENT)
    static let cpuMinimum = UInt64(MCOS_FLOOR_CPU_MIN_BYTES)
    static let memoryOnlyPercent = UInt64(MCOS_FLOOR_MEMONLY_PERCENT)
    static let memoryOnlyMinimum = UInt64(MCOS_FLOOR_MEMONLY_MIN_BYTES)

    public static func bytes(for node: NUMANode) -> UInt64 {
        let (percent, minimum) = node.isCPULess ? (memoryOnlyPercent, memoryOnlyMinimum) : (cpuPercent, cpuMinimum)
        return min(node.memoryBytes, max(minimum, node.memoryBytes / 100 * percent))
    }

    public static func describe(for node: NUMANode) -> String {
        node.isCPULess
            ? "\(memoryOnlyPercent) % and at least \(formatBytes(memoryOnlyMinimum)) of a CPU-less node"
            : "\(cpuPercent) % and at least \(formatBytes(cpuMinimum)) of a node with CPUs"
    }

    /// The most the LWKs together may take from `node`. On the live node, memory that
    /// the partition applied now already holds counts as available again.
    public static func limit(for node: NUMANode, live: LiveState?, heldByUs: UInt64) -> UInt64 {
        var available = node.memoryBytes
        if let free = live?.freeBytes[node.osIndex] {
            available = min(available, free + heldByUs)
        }
        let floor = bytes(for: node)
        return available > floor ? MemoryGranule.roundDown(available - floor) : 0
    }
}
