// Physical frames, from the frame allocator (one buddy allocator per NUMA node, whose
// bookkeeping lives in the memory it manages). Processes on several CPUs allocate at
// once, so every use goes through one lock, and nothing under it touches the heap: the
// heap itself grows from here.

nonisolated(unsafe) var frameLock: UInt32 = 0

/// Frames no process may take (its pages, page tables and region nodes get ENOMEM
/// first): what the kernel heap can still grow into when programs have taken all
/// the rest, so that an allocation of the kernel's own, which would be a Swift trap
/// if it failed, does not fail.
let kernelReserveBytes: UInt64 = 1 << 20

/// Who asks for frames: a process is kept out of `kernelReserveBytes`.
enum FrameUse { case kernel, process }

/// The frame allocator over the free ranges the boot block leaves, its table carved
/// from the first range with room for it; false if there is none.
func setUpFrames() -> Bool {
    var ranges = kernel.info.freeRanges()
    let nodes = max(kernel.info.distances.count, (kernel.info.chunks.map { $0.node }.max() ?? 0) + 1)
    let tableBytes = (UInt64(FrameAllocator.tableBytes(ranges: ranges, nodes: nodes)) + 4095) & ~4095
    guard let index = ranges.firstIndex(where: { $0.bytes > tableBytes }),
          let table = windowAddress(physical: ranges[index].start) else { return false }
    ranges[index].start += tableBytes
    ranges[index].bytes -= tableBytes
    kernel.frames = FrameAllocator(ranges: ranges, nodes: nodes, table: lwk_ptr(table)) { lwk_ptr(windowAddress(physical: $0)!) }
    return true
}

/// `bytes` of contiguous memory (at most `FrameAllocator.largestBlockBytes`, 2 MiB),
/// from `node` first and then (unless
/// `onlyNode`) any node.
func allocate(bytes: UInt64, node: Int, onlyNode: Bool = false, for use: FrameUse = .kernel) -> UInt64? {
    lwk_spin_lock(&frameLock)
    defer { lwk_spin_unlock(&frameLock) }
    guard let frames = kernel.frames else { return nil }
    if use == .process && frames.freeBytes < bytes + kernelReserveBytes { return nil }
    if let physical = kernel.frames!.allocate(bytes: bytes, node: node) { return physical }
    guard !onlyNode else { return nil }
    for other in 0..<frames.nodes where other != node {
        if let physical = kernel.frames!.allocate(bytes: bytes, node: other) { return physical }
    }
    return nil
}

/// The NUMA node of one of our frames; nil if it is in no chunk of ours.
func nodeOf(physical: UInt64) -> Int? {
    kernel.info.chunks.first(where: { physical >= $0.physical && physical - $0.physical < $0.bytes })?.node
}

/// Gives back what `allocate` returned (or a page-aligned part of it).
func release(physical: UInt64, bytes: UInt64) {
    lwk_spin_lock(&frameLock)
    let released = kernel.frames?.release(start: physical, bytes: bytes) ?? false
    lwk_spin_unlock(&frameLock)
    if !released { log(currentCPU(), "BUG: freeing \(LogLine.hex(physical)) (\(bytes) bytes), which is not ours or free already") }
}

/// Free memory on every node.
func freeBytes() -> UInt64 {
    lwk_spin_lock(&frameLock)
    defer { lwk_spin_unlock(&frameLock) }
    return kernel.frames?.freeBytes ?? 0
}

/// More memory for the kernel heap, when runtime.c finds no free block that fits: at
/// least `bytes`, in 64 KiB steps, from any node, the reserve included. Its window
/// address, 0 if there is none.
@_cdecl("lwk_heap_more")
func heapMore(_ bytes: Int) -> UInt64 {
    let step: UInt64 = 64 << 10
    let want = (UInt64(bytes) + step - 1) / step * step
    guard let physical = allocate(bytes: want, node: 0), let window = windowAddress(physical: physical) else { return 0 }
    return window
}

/// Zeroes a frame through the window.
func zeroFrame(_ physical: UInt64) {
    memset(lwk_ptr(windowAddress(physical: physical)!), 0, 4096)
}

/// Copies a frame into another through the window.
func copyFrame(_ physical: UInt64, from source: UInt64) {
    memcpy(lwk_ptr(windowAddress(physical: physical)!), lwk_ptr(windowAddress(physical: source)!), 4096)
}

/// A process's page tables through the window; table pages come from the process's
/// node and are counted, so its exit can prove it gave everything back.
/// With page-table isolation, a write of a user slot of the process's root is
/// repeated in the user root of each CPU that runs one of its threads (the leader's
/// and the others'), so user mode sees the same user half everywhere. Those writes
/// happen under the process's lock, which a thread's start and end take too.
struct ProcessTables: TableMemory {
    let node: Int
    var root: UInt64 = 0
    var userRoot: UInt64 = 0
    /// With pti: the process's leader, whose other threads' user roots get the writes.
    var threadsOf: Process? = nil
    var allocated: UInt64 = 0

    mutating func allocateTable() -> UInt64? {
        guard let page = allocate(bytes: 4096, node: node, for: .process) else { return nil }
        zeroFrame(page)
        allocated += 4096
        return page
    }
    func read(_ physical: UInt64) -> UInt64 { lwk_load64(lwk_ptr(windowAddress(physical: physical)!)) }
    mutating func write(_ physical: UInt64, _ value: UInt64) {
        lwk_store_release64(lwk_ptr(windowAddress(physical: physical)!), value)
        if let twin = PageTables.userRootTwin(of: physical, root: root, userRoot: userRoot) {
            lwk_store_release64(lwk_ptr(windowAddress(physical: twin)!), value)
            let userRoot = userRoot
            threadsOf?.forEachThread { thread in
                guard thread.ownUserRoot != userRoot else { return }  // the leader's: done
                lwk_store_release64(lwk_ptr(windowAddress(physical: thread.ownUserRoot + (twin - userRoot))!), value)
            }
        }
    }
}
