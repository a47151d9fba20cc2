// Physical frames for processes, from the per-node allocators. Processes on several
// CPUs allocate at once, so every use of the allocators goes through one lock.

nonisolated(unsafe) var frameLock: UInt32 = 0

/// `bytes` of contiguous memory, from `node` first and then (unless `onlyNode`) any node.
func allocate(bytes: UInt64, node: Int, onlyNode: Bool = false) -> UInt64? {
    lwk_spin_lock(&frameLock)
    defer { lwk_spin_unlock(&frameLock) }
    var order = kernel.allocators.indices.filter { kernel.allocators[$0].node == node }
    if !onlyNode { order += kernel.allocators.indices.filter { kernel.allocators[$0].node != node } }
    for index in order {
        if let physical = kernel.allocators[index].allocate(bytes: bytes) { return physical }
    }
    return nil
}

/// The NUMA node of one of our frames; nil if it is in no chunk of ours.
func nodeOf(physical: UInt64) -> Int? {
    kernel.info.chunks.first(where: { physical >= $0.physical && physical - $0.physical < $0.bytes })?.node
}

/// Gives back what `allocate` returned (or a page-aligned part of it) to its node.
func release(physical: UInt64, bytes: UInt64) {
    guard let node = nodeOf(physical: physical) else {
        log(currentCPU(), "BUG: freeing \(LogLine.hex(physical)), which is no chunk of ours")
        return
    }
    lwk_spin_lock(&frameLock)
    kernel.allocators[node].release(start: physical, bytes: bytes)
    lwk_spin_unlock(&frameLock)
}

/// Free memory on every node.
func freeBytes() -> UInt64 {
    lwk_spin_lock(&frameLock)
    defer { lwk_spin_unlock(&frameLock) }
    return kernel.allocators.reduce(0) { $0 + $1.freeBytes }
}

/// Zeroes a frame through the window.
func zeroFrame(_ physical: UInt64) {
    memset(lwk_ptr(windowAddress(physical: physical)!), 0, 4096)
}

/// A process's page tables through the window; table pages come from the process's
/// node and are counted, so its exit can prove it gave everything back.
struct ProcessTables: TableMemory {
    let node: Int
    var allocated: UInt64 = 0

    mutating func allocateTable() -> UInt64? {
        guard let page = allocate(bytes: 4096, node: node) else { return nil }
        zeroFrame(page)
        allocated += 4096
        return page
    }
    func read(_ physical: UInt64) -> UInt64 { lwk_load64(lwk_ptr(windowAddress(physical: physical)!)) }
    mutating func write(_ physical: UInt64, _ value: UInt64) {
        lwk_store_release64(lwk_ptr(windowAddress(physical: physical)!), value)
    }
}
