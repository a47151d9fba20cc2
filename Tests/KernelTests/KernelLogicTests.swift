import CMcosABI
import Testing
@testable import Kernel

@Suite struct BootOptionsTests {
    @Test func parsesMcKernelArguments() {
        let options = BootOptions(parsing: "hidos time_sharing  dump_level=0 idle_halt")
        #expect(options.hidos && options.timeSharing && options.idleHalt)
        #expect(!options.allowOversubscribe)
        #expect(options.dumpLevel == 0)
        #expect(options.unknown.isEmpty && options.invalid.isEmpty)
    }

    @Test func keepsWhatItDoesNotUnderstand() {
        let options = BootOptions(parsing: "hidos frobnicate dump_level=7 idle_halt=1 test_fault=page")
        #expect(options.unknown == ["frobnicate"])
        #expect(options.invalid == ["dump_level=7", "idle_halt=1"])
        #expect(options.dumpLevel == 24)
        #expect(options.testFault == .pageFault)
        #expect(BootOptions(parsing: "test_fault=syscall").testFault == .inSyscall)
        #expect(BootOptions(parsing: "test_fault=sometimes").invalid == ["test_fault=sometimes"])
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

@Suite struct FrameAllocatorTests {
    static let mib: UInt64 = 1 << 20

    @Test func allocatesAlignedAndMergesOnRelease() throws {
        var allocator = FrameAllocator(node: 1)
        let added = [
            allocator.add(start: 0x1_0000_0000, bytes: 4 * Self.mib),
            allocator.add(start: 0x2_0000_0000, bytes: 4 * Self.mib),
            allocator.add(start: 0x1_0010_0000, bytes: Self.mib),  // overlaps the first
            allocator.add(start: 0x1_0000_0100, bytes: 4096),  // not page-aligned
        ]
        #expect(added == [true, true, false, false])

        let first = allocator.allocate(bytes: 4096)
        let small = try #require(first)
        #expect(small == 0x1_0000_0000)
        let aligned = allocator.allocate(bytes: 2 * Self.mib, alignment: 2 * Self.mib)
        let large = try #require(aligned)
        #expect(large == 0x1_0020_0000, "next 2 MiB boundary in the first chunk")
        #expect(allocator.freeBytes == 8 * Self.mib - 4096 - 2 * Self.mib)
        let tooBig = allocator.allocate(bytes: 5 * Self.mib)
        #expect(tooBig == nil, "chunks are not contiguous")

        allocator.release(start: small, bytes: 4096)
        allocator.release(start: large, bytes: 2 * Self.mib)
        #expect(allocator.free.count == 2)
        #expect(allocator.freeBytes == 8 * Self.mib)
        #expect(allocator.totalBytes == 8 * Self.mib)
    }

    @Test func adjacentChunksMerge() {
        var allocator = FrameAllocator(node: 0)
        allocator.add(start: 0x40_0000, bytes: 4 * Self.mib)
        allocator.add(start: 0, bytes: 4 * Self.mib)
        #expect(allocator.free == [FrameAllocator.Range(start: 0, end: 8 * Self.mib)])
        let all = allocator.allocate(bytes: 8 * Self.mib)
        let more = allocator.allocate(bytes: 4096)
        #expect(all == 0 && more == nil)
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
