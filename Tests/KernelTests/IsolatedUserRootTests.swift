import CMcosABI
import Testing
@testable import Kernel

/// FakeMemory that repeats a write of a user slot of `root` in `userRoot`, as the
/// LWK's ProcessTables does with pti=on.
struct TwinnedMemory: TableMemory {
    var memory = FakeMemory()
    var root: UInt64 = 0
    var userRoot: UInt64 = 0

    mutating func allocateTable() -> UInt64? { memory.allocateTable() }
    func read(_ physical: UInt64) -> UInt64 { memory.read(physical) }
    mutating func write(_ physical: UInt64, _ value: UInt64) {
        memory.write(physical, value)
        if let twin = PageTables.userRootTwin(of: physical, root: root, userRoot: userRoot) { memory.write(twin, value) }
    }
}

@Suite struct IsolatedUserRootTests {
    static var entry: PageTables.EntryPage { .init(virtual: MCOS_LWK_BASE + 0x1000, physical: 0x1_0000_1000, writable: false, executable: true) }
    static var tables: PageTables.EntryPage { .init(virtual: MCOS_LWK_BASE + 0x20_3000, physical: 0x1_0020_3000, writable: true, executable: false) }

    @Test func theKernelHalfMapsTheEntryPagesOnly() {
        var memory = FakeMemory()
        let root = PageTables.createUserRoot(pages: [Self.entry, Self.tables], memory: &memory)!
        #expect(PageTables.translate(Self.entry.virtual + 8, root: root, memory: memory) == Self.entry.physical + 8)
        #expect(PageTables.translate(Self.tables.virtual, root: root, memory: memory) == Self.tables.physical)
        for elsewhere in [MCOS_LWK_BASE, MCOS_LWK_BASE + 0x2000, MCOS_LWK_BASE + 0x20_0000, MCOS_LWK_PHYS_MAP, MCOS_USER_START] {
            #expect(PageTables.translate(elsewhere, root: root, memory: memory) == nil)
        }
        #expect(PageTables.kernelHalfBytes(root: root, memory: memory) == 2 * 4096)
        // Supervisor-only, never global; writable and executable as asked.
        let code = memory.read(PageTables.leafSlot(Self.entry.virtual, root: root, memory: memory)!)
        let data = memory.read(PageTables.leafSlot(Self.tables.virtual, root: root, memory: memory)!)
        for leaf in [code, data] { #expect(leaf & (PageTables.user | PageTables.global) == 0) }
        #expect(code & PageTables.writable == 0 && code & PageTables.noExecute == 0)
        #expect(data & PageTables.writable != 0 && data & PageTables.noExecute != 0)
    }

    @Test func aPageOutsideTheKernelHalfIsRefused() {
        var memory = FakeMemory()
        let user = PageTables.EntryPage(virtual: 0x40_0000, physical: 0x1000, writable: false, executable: true)
        #expect(PageTables.createUserRoot(pages: [user], memory: &memory) == nil)
    }

    /// The kernel's window with 2 MiB pages counts in full: what pti=off leaves to user mode.
    @Test func theWholeKernelHalfIsCounted() {
        var memory = FakeMemory()
        let layout = PageTables.layout(virtualBase: MCOS_LWK_BASE, chunks: [(0x1_0000_0000, 6 << 20), (0x2_0000_3000, 8192)])
        let root = PageTables.build(layout, flags: PageTables.kernelWindow, into: &memory)!
        #expect(PageTables.kernelHalfBytes(root: root, memory: memory) == 6 << 20 + 8192)
    }

    /// Every user slot the process root gets or loses, the user root gets or loses too;
    /// tables below the root are shared, and the kernel slots stay each root's own.
    @Test func theUserHalfFollowsTheProcessRoot() {
        var twinned = TwinnedMemory()
        let kernelRoot = twinned.allocateTable()!
        twinned.write(kernelRoot + 255 * 8, 0xbbbb_0003)
        let root = PageTables.createRoot(kernelRoot: kernelRoot, memory: &twinned)!
        let userRoot = PageTables.createUserRoot(pages: [Self.entry], memory: &twinned)!
        let entrySlot = twinned.read(userRoot + 255 * 8)
        twinned.root = root
        twinned.userRoot = userRoot
        let flags = PageTables.userLeafFlags(protection: MCOS_PROT_READ | MCOS_PROT_WRITE)
        for (virtual, physical): (UInt64, UInt64) in [(0x40_0000, 0x100_0000), (0xfff_f000_0000, 0x100_1000), (0x40_1000, 0x100_2000)] {
            #expect(PageTables.mapUser(virtual: virtual, physical: physical, flags: flags, root: root, memory: &twinned))
            #expect(PageTables.translate(virtual, root: userRoot, memory: twinned) == physical)
        }
        #expect(PageTables.unmapUser(virtual: 0x40_1000, root: root, memory: &twinned) == 0x100_2000)
        #expect(PageTables.translate(0x40_1000, root: userRoot, memory: twinned) == nil, "a shared table: gone from both")
        #expect(twinned.read(userRoot + 255 * 8) == entrySlot && twinned.read(root + 255 * 8) == 0xbbbb_0003)
        PageTables.detachUserHalf(root: root, memory: &twinned)
        #expect(PageTables.translate(0x40_0000, root: userRoot, memory: twinned) == nil)
        PageTables.emptyUserHalf(root: root, memory: &twinned) { _, _ in }
        for slot: UInt64 in 0..<512 where !PageTables.kernelSlots.contains(slot) {
            #expect(twinned.read(userRoot + slot * 8) == 0)
        }
        #expect(PageTables.translate(Self.entry.virtual, root: userRoot, memory: twinned) == Self.entry.physical)
    }

    /// A thread's CPU: its own user root gets the process's whole user half when the
    /// thread starts, keeps its own kernel half, and loses the user half at the end.
    @Test func aThreadsUserRootCopiesAndDropsTheUserHalf() {
        var memory = FakeMemory()
        let kernelRoot = memory.allocateTable()!
        memory.write(kernelRoot + 255 * 8, 0xbbbb_0003)
        let root = PageTables.createRoot(kernelRoot: kernelRoot, memory: &memory)!
        let flags = PageTables.userLeafFlags(protection: MCOS_PROT_READ)
        for (virtual, physical): (UInt64, UInt64) in [(0x40_0000, 0x100_0000), (0x800_0000_0000, 0x100_1000), (0xfff_f000_0000, 0x100_2000)] {
            #expect(PageTables.mapUser(virtual: virtual, physical: physical, flags: flags, root: root, memory: &memory))
        }
        let threadRoot = PageTables.createUserRoot(pages: [Self.tables], memory: &memory)!
        let ownEntry = memory.read(threadRoot + PageTables.rootSlot(Self.tables.virtual) * 8)
        PageTables.copyUserHalf(from: root, into: threadRoot, memory: &memory)
        #expect(PageTables.translate(0x800_0000_0000, root: threadRoot, memory: memory) == 0x100_1000)
        #expect(PageTables.translate(0xfff_f000_0000, root: threadRoot, memory: memory) == 0x100_2000)
        #expect(PageTables.translate(Self.tables.virtual, root: threadRoot, memory: memory) == Self.tables.physical, "its own kernel half")
        #expect(memory.read(threadRoot + 255 * 8) != 0xbbbb_0003 && memory.read(threadRoot + PageTables.rootSlot(Self.tables.virtual) * 8) == ownEntry)
        PageTables.copyUserHalf(from: nil, into: threadRoot, memory: &memory)
        for slot: UInt64 in 0..<512 where !PageTables.kernelSlots.contains(slot) {
            #expect(memory.read(threadRoot + slot * 8) == 0)
        }
        #expect(PageTables.translate(Self.tables.virtual, root: threadRoot, memory: memory) == Self.tables.physical)
    }
}
