import CMcosABI
import Testing
@testable import Kernel

@Suite struct BootOptionsTests {
    @Test func parsesMcKernelArguments() {
        let options = BootOptions(parsing: "hidos time_sharing  dump_level=0 idle_halt")
        #expect(options.hidos && options.timeSharing && options.idleHalt)
        #expect(options.contextsPerCPU == BootOptions.defaultContexts)
        let counted = BootOptions(parsing: "time_sharing=4 time_sharing=0 time_sharing=33 time_sharing=x")
        #expect(counted.timeSharing && counted.contextsPerCPU == 4)
        #expect(counted.invalid == ["time_sharing=0", "time_sharing=33", "time_sharing=x"])
        #expect(!options.allowOversubscribe)
        #expect(options.dumpLevel == 0)
        #expect(options.unknown.isEmpty && options.invalid.isEmpty)
        #expect(!options.pageTableIsolation, "off unless asked for")
    }

    /// Linux's spelling: pti=on and pti=off, the last one wins; anything else is invalid.
    @Test func pageTableIsolation() {
        #expect(BootOptions(parsing: "hidos pti=on").pageTableIsolation)
        #expect(!BootOptions(parsing: "pti=on pti=off").pageTableIsolation)
        let wrong = BootOptions(parsing: "pti pti=auto pti=")
        #expect(!wrong.pageTableIsolation && wrong.invalid == ["pti", "pti=auto", "pti="] && wrong.unknown.isEmpty)
    }

    @Test func keepsWhatItDoesNotUnderstand() {
        let options = BootOptions(parsing: "hidos frobnicate dump_level=7 idle_halt=1 test_fault=page", testFaults: true)
        #expect(options.unknown == ["frobnicate"])
        #expect(options.invalid == ["dump_level=7", "idle_halt=1"])
        #expect(options.dumpLevel == 24)
        #expect(options.testFault == .pageFault)
        #expect(BootOptions(parsing: "test_fault=syscall", testFaults: true).testFault == .inSyscall)
        #expect(BootOptions(parsing: "test_fault=rings", testFaults: true).testFault == .ringHeaders)
        #expect(BootOptions(parsing: "test_fault=sometimes", testFaults: true).invalid == ["test_fault=sometimes"])
        #expect(BootOptions(parsing: "test_fault=divide", testFaults: true).invalid == ["test_fault=divide"], "no image acts on it")
    }

    /// Only a test image faults on purpose; the image that ships takes the argument for
    /// an unknown one, and says so in its log.
    @Test func faultsOnPurposeOnlyInATestImage() {
        let shipped = BootOptions(parsing: "hidos test_fault=page test_fault test_fault=rings")
        #expect(shipped.testFault == nil)
        #expect(shipped.unknown == ["test_fault=page", "test_fault", "test_fault=rings"] && shipped.invalid.isEmpty)
    }
}

@Suite struct LogLineTests {
    @Test func mcKernelShape() {
        #expect(LogLine.format(cpu: 3, "booted") == "[  3]: booted\n")
        #expect(LogLine.format(cpu: -1, "IHK/McKernel started.") == "[ -1]: IHK/McKernel started.\n")
        #expect(LogLine.hex(0xfee0_0000) == "0x00000000fee00000")
        #expect(LogLine.hex(0xff, digits: 4) == "0x00ff")
        #expect(LogLine.bytes(512 << 20) == "536870912 bytes (512 MiB)")
    }
}

/// Physical memory for the frame allocator's tests: a buffer standing for the physical
/// range [base, base + bytes), where each span keeps its bookkeeping.
final class FakePhysical {
    let base: UInt64
    let memory: UnsafeMutableRawPointer
    let table: UnsafeMutableRawPointer

    init(base: UInt64, bytes: Int, tableBytes: Int) {
        self.base = base
        memory = .allocate(byteCount: bytes, alignment: 4096)
        table = .allocate(byteCount: max(tableBytes, 16), alignment: 16)
    }

    deinit {
        memory.deallocate()
        table.deallocate()
    }

    func window(_ physical: UInt64) -> UnsafeMutableRawPointer { memory + Int(physical - base) }

    func allocator(_ ranges: [(node: Int, start: UInt64, bytes: UInt64)], nodes: Int) -> FrameAllocator {
        FrameAllocator(ranges: ranges, nodes: nodes, table: table) { self.window($0) }
    }
}

@Suite struct FrameAllocatorTests {
    static let mib: UInt64 = 1 << 20
    static let base: UInt64 = 0x1_0000_0000
    /// What a span keeps for itself at its start.
    static let metadata = UInt64(FrameAllocator.metadataPages) * 4096

    static func physical(_ ranges: [(node: Int, start: UInt64, bytes: UInt64)], nodes: Int = 2) -> FakePhysical {
        FakePhysical(base: base, bytes: 16 << 20, tableBytes: FrameAllocator.tableBytes(ranges: ranges, nodes: nodes))
    }

    @Test func allocatesAlignedBlocksAndMergesOnRelease() throws {
        let ranges = [(node: 0, start: Self.base, bytes: 4 * Self.mib), (node: 0, start: Self.base + 8 * Self.mib, bytes: 4 * Self.mib)]
        let memory = Self.physical(ranges)
        var frames = memory.allocator(ranges, nodes: 2)
        let usable = 8 * Self.mib - 2 * Self.metadata
        #expect(frames.freeBytes(node: 0) == usable && frames.totalBytes(node: 0) == usable && frames.freeBytes(node: 1) == 0)

        let pageFound = frames.allocate(bytes: 4096, node: 0)
        let page = try #require(pageFound)
        #expect(page >= Self.base + Self.metadata && page % 4096 == 0)
        let largeFound = frames.allocate(bytes: 2 * Self.mib, node: 0)
        let large = try #require(largeFound)
        #expect(large % (2 * Self.mib) == 0, "a block is aligned to its size")
        let oddFound = frames.allocate(bytes: 3 * 4096, node: 0)
        let odd = try #require(oddFound)
        #expect(odd % (4 * 4096) == 0)
        #expect(frames.freeBytes(node: 0) == usable - 4096 - 2 * Self.mib - 3 * 4096, "the fourth page of the odd one went back")
        do {
            let result = frames.allocate(bytes: 4 * Self.mib, node: 0) == nil
            #expect(result, "no span is whole")
        }
        do {
            // the other span's upper half is the largest block; a page more is none
            let result = frames.allocate(bytes: UInt64(FrameAllocator.largestBlockBytes) + 4096, node: 0) == nil
            let largest = frames.allocate(bytes: UInt64(FrameAllocator.largestBlockBytes), node: 0)
            #expect(result && largest != nil && FrameAllocator.largestBlockBytes == 2 << 20)
            if let largest { frames.release(start: largest, bytes: UInt64(FrameAllocator.largestBlockBytes)) }
        }
        do {
            let result = frames.allocate(bytes: 4096, node: 1) == nil
            #expect(result, "nothing on node 1")
        }

        do {
            let result = frames.release(start: page, bytes: 4096)
            #expect(result)
        }
        do {
            let result = !frames.release(start: page, bytes: 4096)
            #expect(result, "a double free is refused")
        }
        do {
            let result = !frames.release(start: 0x5000, bytes: 4096)
            #expect(result, "not ours")
        }
        do {
            let result = frames.release(start: large, bytes: 2 * Self.mib)
            #expect(result)
        }
        do {
            let result = frames.release(start: odd + 4096, bytes: 2 * 4096)
            #expect(result, "a part of an allocation")
        }
        do {
            let result = frames.release(start: odd, bytes: 4096)
            #expect(result)
        }
        #expect(frames.freeBytes(node: 0) == usable)
    }

    @Test func everyPageComesBackWhole() throws {
        // A span that starts mid-block (as the first chunk's free part does) and one on node 1.
        let ranges = [(node: 0, start: Self.base + 0x13_000, bytes: 4 * Self.mib - 0x13_000), (node: 1, start: Self.base + 4 * Self.mib, bytes: 4 * Self.mib)]
        let memory = Self.physical(ranges)
        var frames = memory.allocator(ranges, nodes: 2)
        let free = frames.freeBytes
        let blocks = frames.freeBlocks(node: 0)
        var pages: [UInt64] = []
        while let page = frames.allocate(bytes: 4096, node: 0) { pages.append(page) }
        #expect(UInt64(pages.count) * 4096 == free - frames.freeBytes(node: 1))
        #expect(Set(pages).count == pages.count, "no page handed out twice")
        #expect(pages.allSatisfy { $0 >= Self.base + 0x13_000 + Self.metadata && $0 < Self.base + 4 * Self.mib })
        // Every other page back: nothing merges; then the rest: everything does.
        var refused = 0
        for page in pages.enumerated() where page.offset % 2 == 0 { if !frames.release(start: page.element, bytes: 4096) { refused += 1 } }
        for page in pages.enumerated() where page.offset % 2 == 1 { if !frames.release(start: page.element, bytes: 4096) { refused += 1 } }
        #expect(refused == 0)
        #expect(frames.freeBytes == free && frames.freeBlocks(node: 0) == blocks)
        #expect(frames.node(of: Self.base + 5 * Self.mib) == 1 && frames.node(of: Self.base + 0x13_000) == nil, "bookkeeping pages are no frames")
    }

    @Test func aFragmentedPoolStillAnswersQuickly() throws {
        let ranges = [(node: 0, start: Self.base, bytes: 16 * Self.mib)]
        let memory = Self.physical(ranges, nodes: 1)
        var frames = memory.allocator(ranges, nodes: 1)
        var pages: [UInt64] = []
        while let page = frames.allocate(bytes: 4096, node: 0) { pages.append(page) }
        for (index, page) in pages.enumerated() where index % 2 == 0 { frames.release(start: page, bytes: 4096) }
        do {
            let result = frames.allocate(bytes: 8192, node: 0) == nil
            #expect(result, "only single pages are free")
        }
        do {
            let result = frames.allocate(bytes: 4096, node: 0) != nil
            #expect(result)
        }
    }
}

/// Physical memory for page-table tests: table pages handed out from a fake range.
struct FakeMemory: TableMemory {
    var words: [UInt64: UInt64] = [:]
    var next: UInt64 = 0x7000_0000
    var tables = 0

    mutating func allocateTable() -> UInt64? {
        defer { next += 4096 }
        tables += 1
        return next
    }
    func read(_ physical: UInt64) -> UInt64 { words[physical] ?? 0 }
    mutating func write(_ physical: UInt64, _ value: UInt64) { words[physical] = value }
}

@Suite struct PageTableTests {
    static let mib: UInt64 = 1 << 20
    static let window: UInt64 = MCOS_LWK_BASE  // PML4 slot 255: lower half, top byte 0

    @Test func largePagesWhereAlignedSmallElsewhere() {
        let chunks: [(physical: UInt64, bytes: UInt64)] = [(0x1_0000_0000, 4 * Self.mib), (0x2_0010_0000, 4 * Self.mib)]
        let layout = PageTables.layout(virtualBase: Self.window, chunks: chunks)
        #expect(layout == [
            .init(virtual: Self.window, physical: 0x1_0000_0000, bytes: 4 * Self.mib, pageSize: 2 * Self.mib),
            // The second chunk starts 1 MiB into a 2 MiB page: its offsets never line up
            // with the window's, so it is all 4 KiB pages.
            .init(virtual: Self.window + 4 * Self.mib, physical: 0x2_0010_0000, bytes: 4 * Self.mib, pageSize: 4096),
        ])
    }

    @Test func smallPagesUntilBothSidesAlign() {
        let layout = PageTables.layout(virtualBase: Self.window + Self.mib, chunks: [(0x1_0010_0000, 5 * Self.mib)])
        #expect(layout.map(\.pageSize) == [4096, 2 * Self.mib])
        #expect(layout.map(\.bytes) == [Self.mib, 4 * Self.mib])
    }

    @Test func tablesTranslateEveryPage() throws {
        let chunks: [(physical: UInt64, bytes: UInt64)] = [(0x1_0000_0000, 4 * Self.mib), (0x2_0010_0000, 2 * Self.mib), (0x3_0000_0000, 4 * Self.mib)]
        let layout = PageTables.layout(virtualBase: Self.window, chunks: chunks)
        var memory = FakeMemory()
        let built = PageTables.build(layout, flags: PageTables.writable | PageTables.global, into: &memory)
        let root = try #require(built)
        var virtual = Self.window
        for chunk in chunks {
            var offset: UInt64 = 0
            while offset < chunk.bytes {
                #expect(PageTables.translate(virtual + offset + 0x123, root: root, memory: memory) == chunk.physical + offset + 0x123)
                offset += 4096
            }
            virtual += chunk.bytes
        }
        #expect(PageTables.translate(virtual, root: root, memory: memory) == nil, "nothing mapped past the window")
        #expect(PageTables.translate(0x1000, root: root, memory: memory) == nil)
        // One PML4, one PDPT, one PD, and one PT for the 2 MiB of small pages.
        #expect(memory.tables == 4)
    }
}
