/// Page-table isolation (the `pti=on` boot option, Linux's PTI): besides its process
/// root, a CPU has a user root that it runs on while in user mode. Its user half is the
/// process root's (every write of a user slot of the process root is repeated in it);
/// its kernel half maps only the pages the CPU touches between ring 3 and the switch to
/// the process root: the entry and exit code, the IDT, and the CPU's own page of GDT,
/// TSS, swapgs block and entry stack. So a user-mode load of any other kernel address
/// finds no translation at all, whatever the CPU does speculatively with a supervisor
/// page it could find.
extension PageTables {
    /// One page of the user root's kernel half.
    public struct EntryPage: Equatable {
        public var virtual: UInt64
        public var physical: UInt64
        /// Written by the CPU in ring 0 before the switch (the entry stack, the TSS and
        /// GDT's busy and accessed bits, the swapgs block's scratch slots).
        public var writable: Bool
        public var executable: Bool

        public init(virtual: UInt64, physical: UInt64, writable: Bool, executable: Bool) {
            self.virtual = virtual
            self.physical = physical
            self.writable = writable
            self.executable = executable
        }
    }

    /// A user root with nothing in its user half and `pages` in its kernel half, never
    /// global: a global translation would outlive the CR3 write into user mode.
    public static func createUserRoot<Memory: TableMemory>(pages: [EntryPage], memory: inout Memory) -> UInt64? {
        guard let root = memory.allocateTable() else { return nil }
        for page in pages {
            let flags = (page.writable ? writable : 0) | (page.executable ? 0 : noExecute)
            guard kernelSlots.contains(rootSlot(page.virtual)),
                  map(virtual: page.virtual & ~(smallPage - 1), physical: page.physical & ~(smallPage - 1), large: false,
                      flags: flags, root: root, memory: &memory) else { return nil }
        }
        return root
    }

    /// Where a write of `physical` must be repeated so that `userRoot` keeps `root`'s
    /// user half: its twin slot if `physical` is a user slot of `root`, else nil (a
    /// table below the root is shared by both roots, and the kernel slots differ).
    public static func userRootTwin(of physical: UInt64, root: UInt64, userRoot: UInt64) -> UInt64? {
        guard userRoot != 0, physical & ~(smallPage - 1) == root else { return nil }
        let offset = physical & (smallPage - 1)
        return kernelSlots.contains(offset / 8) ? nil : userRoot + offset
    }

    /// A thread on another CPU runs user mode on that CPU's user root: it gets every
    /// user slot of its process's root when the thread starts (later writes reach it
    /// as `userRootTwin`'s do) and loses them all when the thread ends (`from` nil), so
    /// that nothing of the process stays reachable from the CPU's next program.
    public static func copyUserHalf<Memory: TableMemory>(from root: UInt64?, into userRoot: UInt64, memory: inout Memory) {
        for slot: UInt64 in 0..<512 where !kernelSlots.contains(slot) {
            memory.write(userRoot + slot * 8, root.map { memory.read($0 + slot * 8) } ?? 0)
        }
    }

    /// How many bytes the kernel half of `root` maps: what user mode could reach
    /// speculatively through it.
    public static func kernelHalfBytes<Memory: TableMemory>(root: UInt64, memory: Memory) -> UInt64 {
        func bytes(_ table: UInt64, shift: UInt64) -> UInt64 {
            var total: UInt64 = 0
            for index: UInt64 in 0..<512 {
                let entry = memory.read(table + index * 8)
                guard entry & present != 0 else { continue }
                if shift == 12 || (shift == 21 && entry & largePageBit != 0) {
                    total += 1 << shift
                } else {
                    total += bytes(entry & addressMask, shift: shift - 9)
                }
            }
            return total
        }
        var total: UInt64 = 0
        for slot in kernelSlots {
            let entry = memory.read(root + slot * 8)
            if entry & present != 0 { total += bytes(entry & addressMask, shift: 30) }
        }
        return total
    }
}
