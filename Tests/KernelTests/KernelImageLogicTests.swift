import Testing
@testable import Kernel

/// Shared memory modelled as bytes; the orderings are the image's business.
final class ByteMemory: SharedMemory {
    var bytes: [UInt8]
    init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }
    func load64(_ offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
    func loadAcquire64(_ offset: Int) -> UInt64 { load64(offset) }
    func storeRelease64(_ offset: Int, _ value: UInt64) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }
    func store32(_ offset: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }
    func load32(_ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
    func store8(_ offset: Int, _ value: UInt8) { bytes[offset] = value }
    func load8(_ offset: Int) -> UInt8 { bytes[offset] }
}

@Suite struct KmsgRingTests {
    func ring(dataBytes: UInt32) -> (ByteMemory, KmsgRing<ByteMemory>) {
        let memory = ByteMemory(count: 32 + Int(dataBytes))
        memory.store32(0, 1)
        memory.store32(4, dataBytes)
        return (memory, KmsgRing(memory: memory))
    }

    @Test func appendsAndPublishesHead() {
        let (memory, kmsg) = ring(dataBytes: 64)
        kmsg.write("[  0]: IHK/McKernel started.\n")
        #expect(memory.load64(8) == 29)
        #expect(String(decoding: kmsg.contents(), as: UTF8.self) == "[  0]: IHK/McKernel started.\n")
    }

    @Test func wrapsKeepingTheNewestText() {
        let (_, kmsg) = ring(dataBytes: 16)
        kmsg.write("0123456789")
        kmsg.write("abcdefghij")
        #expect(kmsg.head == 20)
        #expect(String(decoding: kmsg.contents(), as: UTF8.self) == "456789abcdefghij")
    }

    @Test func readersStartAfterAClear() {
        let (memory, kmsg) = ring(dataBytes: 64)
        kmsg.write("old line\n")
        memory.storeRelease64(16, kmsg.head)  // what the module's KMSG_CLEAR does
        kmsg.write("new\n")
        #expect(String(decoding: kmsg.contents(), as: UTF8.self) == "new\n")
    }

    @Test func corruptHeaderTakesNothing() {
        let (memory, kmsg) = ring(dataBytes: 0)
        kmsg.write("lost")
        #expect(memory.load64(8) == 0)
    }
}

@Suite struct IKCRingTests {
    @Test func packetsComeOutInOrderAndTheRingFills() throws {
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 4))
        let ring = IKCRing(memory: memory)
        #expect(!ring.isValid)
        #expect(ring.receive() == nil)
        ring.format(slots: 4)
        #expect(ring.isValid && ring.pending == 0)
        for seq in 1...4 {
            #expect(ring.send(IKCPacket(type: IKCPacket.ping, seq: UInt64(seq), args: (UInt64(seq), 0, 0, 0, 0, 7))))
        }
        #expect(!ring.send(IKCPacket(type: IKCPacket.ping, seq: 5)), "full")
        let first = try #require(ring.receive())
        #expect(first == IKCPacket(type: IKCPacket.ping, seq: 1, args: (1, 0, 0, 0, 0, 7)))
        #expect(ring.send(IKCPacket(type: IKCPacket.pong, seq: 5)))
        #expect((2...5).map { _ in ring.receive()?.seq } == [2, 3, 4, 5])
        #expect(ring.receive() == nil)
        #expect(memory.load64(0) == 5 && memory.load64(8) == 5, "counters only grow")
    }

    @Test func layoutMatchesTheABI() {
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 2))
        let ring = IKCRing(memory: memory)
        ring.format(slots: 2)
        _ = ring.send(IKCPacket(type: 3, seq: 0x1122, args: (9, 8, 7, 6, 5, 4)))
        // struct mcos_ikc_ring: write, read, slots, slot_bytes, magic; then mcos_ikc_packet
        #expect(memory.load32(16) == 2 && memory.load32(20) == 64 && memory.load32(24) == 0x4349_4b52)
        #expect(memory.load32(64) == 1 && memory.load32(68) == 3 && memory.load64(72) == 0x1122)
        #expect(memory.load64(80) == 9 && memory.load64(120) == 4)
    }
}

@Suite struct BootInfoTests {
    /// A boot block as mcos_boot.c writes it.
    static func block(cpus: [(UInt32, Int32, UInt32)], chunks: [(UInt64, UInt64, Int32)], nodes: Int,
                      kargs: String, magic: UInt32 = BootInfo.magic) -> [UInt8] {
        let memory = ByteMemory(count: 4096)
        var offset = BootInfo.Offset.header
        memory.store32(0, magic)
        memory.store32(4, BootInfo.version)
        memory.store32(16, UInt32(cpus.count))
        memory.store32(20, UInt32(chunks.count))
        memory.store32(24, UInt32(nodes))
        let kargsBytes = Array(kargs.utf8) + [0]
        memory.store32(28, UInt32(kargsBytes.count))
        memory.storeRelease64(32, UInt64(offset))
        for (index, cpu) in cpus.enumerated() {
            memory.store32(offset + index * 16, cpu.0)
            memory.store32(offset + index * 16 + 4, UInt32(bitPattern: cpu.1))
            memory.store32(offset + index * 16 + 8, cpu.2)
        }
        offset += cpus.count * 16
        memory.storeRelease64(40, UInt64(offset))
        for (index, chunk) in chunks.enumerated() {
            memory.storeRelease64(offset + index * 24, chunk.0)
            memory.storeRelease64(offset + index * 24 + 8, chunk.1)
            memory.store32(offset + index * 24 + 16, UInt32(bitPattern: chunk.2))
        }
        offset += chunks.count * 24
        memory.storeRelease64(48, UInt64(offset))
        for a in 0..<nodes {
            for b in 0..<nodes { memory.store32(offset + (a * nodes + b) * 4, a == b ? 10 : 31) }
        }
        offset += nodes * nodes * 4
        memory.storeRelease64(56, UInt64(offset))
        for (index, byte) in kargsBytes.enumerated() { memory.store8(offset + index, byte) }
        offset += kargsBytes.count
        memory.store32(8, UInt32(offset))
        memory.storeRelease64(64, 0x1234_5000)
        memory.storeRelease64(72, 2_600_000)
        memory.storeRelease64(80, 0x3_0000)
        memory.storeRelease64(88, 0x99000)
        return memory.bytes
    }

    static let mib: UInt64 = 1 << 20

    @Test func parsesWhatTheModuleWrites() throws {
        let bytes = Self.block(cpus: [(2, 0, 2), (3, 0, 3)],
                               chunks: [(0x4000_0000, 4 * Self.mib, 0), (0x7000_0000, 4 * Self.mib, 1), (0x3000_0000, 4 * Self.mib, 0)],
                               nodes: 2, kargs: "hidos test_fault=page")
        let info = try bytes.withUnsafeBytes { try BootInfo(parsing: $0) }
        #expect(info.cpus == [.init(apicID: 2, node: 0, linuxCPU: 2), .init(apicID: 3, node: 0, linuxCPU: 3)])
        #expect(info.chunks.count == 3 && info.chunks[1] == .init(physical: 0x7000_0000, bytes: 4 * Self.mib, node: 1))
        #expect(info.distances == [[10, 31], [31, 10]])
        #expect(info.commandLine == "hidos test_fault=page")
        #expect(BootOptions(parsing: info.commandLine).testFault == .pageFault)
        #expect(info.kmsgPhysical == 0x1234_5000 && info.tscKHz == 2_600_000 && info.trampolinePhysical == 0x99000)
        #expect(info.bytesPerNode == [8 * Self.mib, 4 * Self.mib])
        // The window lays the chunks end to end.
        #expect(info.physical(windowOffset: 0) == 0x4000_0000)
        #expect(info.physical(windowOffset: 4 * Self.mib + 8) == 0x7000_0008)
        #expect(info.physical(windowOffset: 12 * Self.mib) == nil)
        #expect(info.windowOffset(physical: 0x3000_1000) == 8 * Self.mib + 0x1000)
        #expect(info.windowOffset(physical: 0x5000_0000) == nil)
        // Free memory: everything but the window prefix [0, free_off).
        let free = info.freeRanges()
        #expect(free.count == 3)
        #expect(free[0].start == 0x4003_0000 && free[0].bytes == 4 * Self.mib - 0x3_0000 && free[0].node == 0)
        #expect(free[1].start == 0x7000_0000 && free[1].node == 1)
    }

    @Test func refusesBrokenBlocks() {
        let good = Self.block(cpus: [(1, 0, 1)], chunks: [(0x4000_0000, 4 * Self.mib, 0)], nodes: 1, kargs: "")
        var badMagic = good
        badMagic[0] ^= 0xff
        #expect(throws: BootInfo.ParseError.badMagic) { try badMagic.withUnsafeBytes { try BootInfo(parsing: $0) } }
        #expect(throws: BootInfo.ParseError.tooShort) { try Array(good[0..<100]).withUnsafeBytes { try BootInfo(parsing: $0) } }
        var noCPU = good
        noCPU[16] = 0
        #expect(throws: BootInfo.ParseError.noCPU) { try noCPU.withUnsafeBytes { try BootInfo(parsing: $0) } }
        var outside = good
        outside[41] = 0x40  // chunks_off far past the block
        #expect(throws: BootInfo.ParseError.tableOutside("chunks")) { try outside.withUnsafeBytes { try BootInfo(parsing: $0) } }
    }
}
