/// Where a process's memory comes from (mcexec -m): the NUMA nodes its pages are taken
/// from, in the order they are tried. Page-table pages are the kernel's and always come
/// from the CPU's node.
public enum MemoryBinding {
    /// Unbound (`mask` 0): the CPU's node, then every other node the LWK has memory on.
    /// Bound: only the nodes of `mask` (bit n = node n), the CPU's node first if it is
    /// one of them, then ascending; nil if the LWK has no memory on one of them.
    public static func order(cpuNode: Int, mask: UInt32, nodes: [Int]) -> [Int]? {
        let known = nodes.sorted()
        if mask == 0 { return [cpuNode] + known.filter { $0 != cpuNode } }
        var bound: [Int] = []
        for node in 0..<32 where mask & (1 << UInt32(node)) != 0 {
            guard known.contains(node) else { return nil }
            bound.append(node)
        }
        return bound.contains(cpuNode) ? [cpuNode] + bound.filter { $0 != cpuNode } : bound
    }
}
