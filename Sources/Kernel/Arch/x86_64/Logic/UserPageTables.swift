import CMcosABI

/// Page-table work for a process's address space. User memory is mapped with 4 KiB
/// pages only, so munmap and mprotect can split anywhere and the module (which fills
/// the proxy's mapping from these tables) only meets one leaf size. A leaf that is not
/// present but not zero still owns its frame (PROT_NONE, or `detached` on its way out),
/// so teardown frees it too.
extension PageTables {
    /// A leaf (or a root slot of the user half) taken out of use but still owning what it
    /// points at: nothing reaches it (not present), and only the kernel frees it, once
    /// Linux has dropped its own mappings. One of the bits x86 leaves to software.
    public static let detached: UInt64 = 1 << 9
    /// Software bit of a user leaf: its frame is MAP_SHARED | MAP_ANONYMOUS memory, which
    /// other processes (a fork's) may map too: it is freed when its last mapper lets go.
    public static let sharedFrame: UInt64 = 1 << 10
    /// Software bit of a user leaf: its frame is Linux's, a page of a file's page cache
    /// (MAP_SHARED of a file) that the module keeps pinned for the LWK; it goes back to
    /// Linux, never to the LWK's allocator. Always with `sharedFrame`: a fork shares it.
    public static let linuxFrame: UInt64 = 1 << 11
    /// What a leaf keeps of itself through a change of its flags: its frame and the
    /// software bits that say whose frame it is.
    public static let frameBits: UInt64 = addressMask | sharedFrame | linuxFrame

    /// PML4 slots of the kernel (MCOS_LWK_PHYS_MAP up to MCOS_LWK_BASE's), shared by
    /// every address space: copied into a process's root, never freed with it.
    public static var kernelSlots: ClosedRange<UInt64> { rootSlot(MCOS_LWK_PHYS_MAP)...rootSlot(MCOS_LWK_BASE) }

    /// The root-table (PML4) slot that maps `virtual`.
    public static func rootSlot(_ virtual: UInt64) -> UInt64 { (virtual >> 39) & 511 }

    /// Leaf flags for a user page with `protection` (MCOS_PROT_*): always user;
    /// writable only with PROT_WRITE (or while the proxy still fills the page, before
    /// START); NX without PROT_EXEC; not present for PROT_NONE (x86 cannot map a page
    /// that is neither readable nor anything else, so the frame stays in the entry
    /// unmapped).
    public static func userLeafFlags(protection: UInt32, loading: Bool = false) -> UInt64 {
        var flags = user
        if protection & UserSpace.protectionBits != 0 || loading { flags |= present }
        if protection & MCOS_PROT_WRITE != 0 || loading { flags |= writable }
        if protection & MCOS_PROT_EXEC == 0 { flags |= noExecute }
        return flags
    }

    /// A new address-space root: zeroed, with the kernel's slots copied from `kernelRoot`.
    public static func createRoot<Memory: TableMemory>(kernelRoot: UInt64, memory: inout Memory) -> UInt64? {
        guard let root = memory.allocateTable() else { return nil }
        for slot in kernelSlots { memory.write(root + slot * 8, memory.read(kernelRoot + slot * 8)) }
        return root
    }

    /// Maps one user page (the user bit is set at every level). Without `present` in
    /// `flags` (PROT_NONE) the entry still records the frame, unreachable.
    public static func mapUser<Memory: TableMemory>(virtual: UInt64, physical: UInt64, flags: UInt64, root: UInt64, memory: inout Memory) -> Bool {
        guard map(virtual: virtual, physical: physical, large: false, flags: flags | user, root: root, memory: &memory) else { return false }
        if flags & present == 0 { return protectUser(virtual: virtual, flags: flags | user, root: root, memory: &memory) }
        return true
    }

    /// The address of the leaf entry of `virtual` (4 KiB pages), nil if a table on the
    /// way is missing.
    public static func leafSlot<Memory: TableMemory>(_ virtual: UInt64, root: UInt64, memory: Memory) -> UInt64? {
        var table = root
        var shift: UInt64 = 39
        while shift > 12 {
            let entry = memory.read(slot(table, virtual, shift: shift))
            guard entry & present != 0, entry & largePageBit == 0 else { return nil }
            table = entry & addressMask
            shift -= 9
        }
        return slot(table, virtual, shift: 12)
    }

    /// Calls `body(virtual, slot, entry)` for every 4 KiB page of [start, end) whose
    /// leaf is not zero, in address order. Missing tables are skipped whole, so a range
    /// of terabytes with little mapped in it costs little.
    public static func forEachUserLeaf<Memory: TableMemory>(
        from start: UInt64, to end: UInt64, root: UInt64, memory: Memory, _ body: (UInt64, UInt64, UInt64) -> Void
    ) {
        var virtual = start & ~(smallPage - 1)
        walk: while virtual < end {
            var table = root
            var shift: UInt64 = 39
            while shift > 12 {
                let entry = memory.read(slot(table, virtual, shift: shift))
                guard entry & present != 0, entry & largePageBit == 0 else {
                    let next = (virtual & ~((1 << shift) - 1)) &+ (1 << shift)  // past this missing table
                    if next <= virtual { return }
                    virtual = next
                    continue walk
                }
                table = entry & addressMask
                shift -= 9
            }
            let leaf = slot(table, virtual, shift: 12)
            let entry = memory.read(leaf)
            if entry != 0 { body(virtual, leaf, entry) }
            virtual += smallPage
        }
    }

    /// Takes every root slot of the user half out of use (`detached`), so that nothing
    /// walking the tables from `root`, the module filling the proxy's mapping included,
    /// finds a page any more; `destroy` frees them all the same.
    public static func detachUserHalf<Memory: TableMemory>(root: UInt64, memory: inout Memory) {
        for index: UInt64 in 0..<512 where !kernelSlots.contains(index) {
            let entry = memory.read(root + index * 8)
            if entry & present != 0 { memory.write(root + index * 8, (entry & ~present) | detached) }
        }
    }

    /// Clears the leaf of `virtual`; the frame it owned, or nil if there was none.
    public static func unmapUser<Memory: TableMemory>(virtual: UInt64, root: UInt64, memory: inout Memory) -> UInt64? {
        guard let slot = leafSlot(virtual, root: root, memory: memory), let frame = ownedFrame(virtual, root: root, memory: memory) else { return nil }
        memory.write(slot, 0)
        return frame
    }

    /// The frame the leaf of `virtual` owns, reachable or not (PROT_NONE keeps its frame
    /// in a non-present entry); nil if there is none.
    public static func ownedFrame<Memory: TableMemory>(_ virtual: UInt64, root: UInt64, memory: Memory) -> UInt64? {
        guard let slot = leafSlot(virtual, root: root, memory: memory) else { return nil }
        let entry = memory.read(slot)
        return entry == 0 ? nil : entry & addressMask
    }

    /// Replaces the flags of the leaf of `virtual`, keeping its frame; false if none.
    public static func protectUser<Memory: TableMemory>(virtual: UInt64, flags: UInt64, root: UInt64, memory: inout Memory) -> Bool {
        guard let slot = leafSlot(virtual, root: root, memory: memory) else { return false }
        let entry = memory.read(slot)
        guard entry != 0 else { return false }
        memory.write(slot, (entry & addressMask) | flags)
        return true
    }

    /// The frame behind a user address and whether it is mapped writable, for the
    /// kernel's own accesses through its window (it never touches user addresses
    /// directly: SMAP is on).
    public static func userFrame<Memory: TableMemory>(_ virtual: UInt64, root: UInt64, memory: Memory) -> (physical: UInt64, writable: Bool, linux: Bool)? {
        guard let slot = leafSlot(virtual, root: root, memory: memory) else { return nil }
        let entry = memory.read(slot)
        guard entry & present != 0, entry & user != 0 else { return nil }
        return ((entry & addressMask) | (virtual & (smallPage - 1)), entry & writable != 0, entry & linuxFrame != 0)
    }

    /// Empties the user half of an address space: `release` gets every frame a leaf owns
    /// (`table == false`, with the leaf's `sharedFrame` bit, which no frame address has)
    /// and every table page below `root` (`true`), and every user
    /// slot of `root` is zero again. The root itself and the kernel's slots stay. Root
    /// slots may be `detached` (the process's end detaches them first).
    public static func emptyUserHalf<Memory: TableMemory>(root: UInt64, memory: inout Memory, release: (UInt64, Bool) -> Void) {
        func walk(_ table: UInt64, level: Int) {
            for index: UInt64 in 0..<512 {
                if level == 0 && kernelSlots.contains(index) { continue }
                let entry = memory.read(table + index * 8)
                guard entry != 0 else { continue }
                if level < 3 {
                    guard entry & present != 0 || (level == 0 && entry & detached != 0) else { continue }
                    walk(entry & addressMask, level: level + 1)
                    release(entry & addressMask, true)
                } else {
                    release(entry & frameBits, false)
                }
                memory.write(table + index * 8, 0)
            }
        }
        walk(root, level: 0)
    }
}
