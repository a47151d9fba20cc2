import NodeBasics

extension ModuleClient {
    /// Reserved bytes on `node` that no instance holds.
    public func unassignedBytes(node: Int) throws(ModuleError) -> UInt64 {
        try memoryChunks(node: node).filter { $0.instance == nil }.reduce(0) { $0 + $1.bytes }
    }

    /// Undoes a memory reservation on `node`. The module gives a node's unassigned
    /// chunks back as a whole, so this is exact only when none were unassigned before
    /// the reservation (`unassignedBefore`); otherwise it refuses rather than give back
    /// memory someone else reserved.
    public func undoReservation(node: Int, unassignedBefore: UInt64) throws(ModuleError) {
        guard unassignedBefore == 0 else {
            throw ModuleError(
                kind: .busy, operation: "undo the reservation on NUMA \(node)",
                message: "NUMA \(node) already held \(formatBytes(unassignedBefore)) unassigned before; the new chunks cannot be told apart",
                remedy: "release the node with `mcprov module release --memory \(node)` (or `mcprov teardown`) and reserve again", errno: 0)
        }
        try releaseMemory(node: node)
    }
}
