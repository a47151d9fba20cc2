import CMcosABI
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
    func add32(_ offset: Int, _ value: UInt32) -> UInt32 {
        store32(offset, load32(offset) &+ value)
        return load32(offset)
    }
    func store8(_ offset: Int, _ value: UInt8) { bytes[offset] = value }

    /// The bytes at `offset` read as a C struct of the ABI.
    func load<T: BitwiseCopyable>(_ type: T.Type, at offset: Int = 0) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: type) }
    }

    /// Writes a C struct of the ABI at `offset`.
    func store<T: BitwiseCopyable>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value) { for (index, byte) in $0.enumerated() { bytes[offset + index] = byte } }
    }
    func load8(_ offset: Int) -> UInt8 { bytes[offset] }
    func fence() {}
}

@Suite struct KmsgRingTests {
    func ring(dataBytes: UInt32) -> (ByteMemory, KmsgRing<ByteMemory>) {
        let memory = ByteMemory(count: 32 + Int(dataBytes))
        memory.store32(0, 1)
        memory.store32(4, dataBytes)
        return (memory, KmsgRing(memory: memory, dataBytes: UInt64(dataBytes)))
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

    @Test func noTextSpaceTakesNothing() {
        let (memory, kmsg) = ring(dataBytes: 0)
        kmsg.write("lost")
        #expect(memory.load64(8) == 0)
    }

    /// Whatever the shared header says the text space is (Linux, or a stray write, may
    /// change it), the writer wraps at its own size: nothing lands outside the buffer
    /// (ByteMemory traps on an index past its end), nothing is lost.
    @Test func aCorruptDataBytesMovesNothing() {
        for corrupt: UInt32 in [0, 1, 7, 17, 0x8000_0000, 0xffff_ffff] {
            let (memory, kmsg) = ring(dataBytes: 16)
            kmsg.write("0123456789")
            memory.store32(4, corrupt)
            #expect(kmsg.announcedDataBytes == UInt64(corrupt) && kmsg.dataBytes == 16)
            kmsg.write("abcdefghijklmnopqrstuvwxyz")
            #expect(kmsg.head == 36)
            #expect(String(decoding: kmsg.contents(), as: UTF8.self) == "klmnopqrstuvwxyz", "data_bytes \(corrupt)")
        }
    }

    @Test func theLWKsSizeIsTheModulesBuffer() {
        #expect(KmsgRing<ByteMemory>.bufferDataBytes == UInt64(MCOS_KMSG_SIZE) - UInt64(MemoryLayout<mcos_kmsg_ring>.size))
    }
}

@Suite struct IKCRingTests {
    @Test func packetsComeOutInOrderAndTheRingFills() throws {
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 4))
        let ring = IKCRing(memory: memory, slots: 4)
        #expect(!ring.headerIntact)
        #expect(ring.receive() == nil)
        ring.format()
        #expect(ring.headerIntact && ring.pending == 0)
        for seq in 1...4 {
            #expect(ring.send(IKCPacket(type: MCOS_IKC_PING, seq: UInt64(seq), args: (UInt64(seq), 0, 0, 0, 0, 7))))
        }
        #expect(!ring.send(IKCPacket(type: MCOS_IKC_PING, seq: 5)), "full")
        let first = try #require(ring.receive())
        #expect(first == IKCPacket(type: MCOS_IKC_PING, seq: 1, args: (1, 0, 0, 0, 0, 7)))
        #expect(ring.send(IKCPacket(type: MCOS_IKC_PONG, seq: 5)))
        #expect((2...5).map { _ in ring.receive()?.seq } == [2, 3, 4, 5])
        #expect(ring.receive() == nil)
        #expect(memory.load64(0) == 5 && memory.load64(8) == 5, "counters only grow")
    }

    /// What the LWK writes reads back through the C structs the module uses.
    @Test func layoutMatchesTheABI() {
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 2))
        let ring = IKCRing(memory: memory, slots: 2)
        ring.format()
        _ = ring.send(IKCPacket(type: MCOS_IKC_PONG, seq: 0x1122, args: (9, 8, 7, 6, 5, 4)))
        let header = memory.load(mcos_ikc_ring.self)
        #expect(header.write == 1 && header.read == 0 && header.slots == 2)
        #expect(header.slot_bytes == UInt32(MemoryLayout<mcos_ikc_packet>.size) && header.magic == MCOS_IKC_MAGIC)
        let packet = memory.load(mcos_ikc_packet.self, at: MemoryLayout<mcos_ikc_ring>.size)
        #expect(packet.version == UInt32(MCOS_IKC_VERSION) && packet.type == MCOS_IKC_PONG.rawValue && packet.seq == 0x1122)
        #expect(packet.args.0 == 9 && packet.args.5 == 4)
    }

    /// The flag a sleeping Linux consumer sets is the one the producer reads.
    @Test func consumerSleepsIsTheModulesFlag() {
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 2))
        let ring = IKCRing(memory: memory, slots: 2)
        ring.format()
        #expect(!ring.consumerSleeps)
        var header = memory.load(mcos_ikc_ring.self)
        header.consumer_sleeps = 1
        memory.store(header, at: 0)
        #expect(ring.consumerSleeps)
    }

    /// The slot count is the LWK's own: a `slots` Linux (or anyone) writes into the
    /// header afterwards neither stops the ring (0) nor sends it past its end (more
    /// than fit: ByteMemory traps on an index past the ring), on either side, however
    /// often the counters wrap the ring; nor do a wrong magic or slot size.
    @Test func aCorruptHeaderMovesNothing() throws {
        for corrupt: UInt32 in [0, 1, 3, 5, 64, 0x8000_0001, 0xffff_ffff] {
            let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 4))
            let ring = IKCRing(memory: memory, slots: 4)
            ring.format()
            var header = memory.load(mcos_ikc_ring.self)
            header.slots = corrupt
            header.magic = 0
            header.slot_bytes = 1
            memory.store(header, at: 0)
            #expect(!ring.headerIntact)
            for seq in UInt64(1)...UInt64(10) {
                #expect(ring.send(IKCPacket(type: MCOS_IKC_PONG, seq: seq, args: (seq, 0, 0, 0, 0, seq))), "slots \(corrupt)")
                let packet = try #require(ring.receive())
                #expect(packet == IKCPacket(type: MCOS_IKC_PONG, seq: seq, args: (seq, 0, 0, 0, 0, seq)))
            }
            for seq in UInt64(1)...UInt64(4) { #expect(ring.send(IKCPacket(type: MCOS_IKC_PING, seq: seq))) }
            #expect(!ring.send(IKCPacket(type: MCOS_IKC_PING, seq: 5)), "still 4 slots with slots \(corrupt)")
            #expect((1...4).map { _ in ring.receive()?.seq } == [1, 2, 3, 4])
        }
    }

    /// The counters are the other side's to move too: any value stays inside the ring.
    @Test func wildCountersStayInside() {
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 3))
        let ring = IKCRing(memory: memory, slots: 3)
        ring.format()
        memory.storeRelease64(0, 0xffff_ffff_ffff_fff0)  // write
        memory.storeRelease64(8, 0x1234_5678_9abc_def1)  // read
        for _ in 0..<10 { _ = ring.receive() }
        memory.storeRelease64(8, 0xffff_ffff_ffff_fff0)
        #expect(ring.send(IKCPacket(type: MCOS_IKC_PING, seq: 1)))
        #expect(ring.receive()?.seq == 1)
    }

    @Test func slotsFittingARing() {
        #expect(IKCRing<ByteMemory>.slots(fitting: 4096) == 63, "the LWK's rings: 64-byte header, 64-byte packets")
        #expect(IKCRing<ByteMemory>.slots(fitting: IKCRing<ByteMemory>.bytes(slots: 5)) == 5)
        #expect(IKCRing<ByteMemory>.slots(fitting: IKCRing<ByteMemory>.bytes(slots: 5) - 1) == 4)
        #expect(IKCRing<ByteMemory>.slots(fitting: 10) == 0 && IKCRing<ByteMemory>.slots(fitting: -1) == 0)
        #expect(IKCRing(memory: ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 1)), slots: 0).slots == 1)
    }
}

@Suite struct BootInfoTests {
    /// A boot block as mcos_boot.c writes it: the header, then the CPU, chunk,
    /// distance and argument tables.
    static func block(cpus: [(UInt32, Int32, UInt32)], chunks: [(UInt64, UInt64, Int32)], nodes: Int,
                      kargs: String, magic: UInt32 = MCOS_BOOT_MAGIC) -> [UInt8] {
        let memory = ByteMemory(count: 4096)
        let kargsBytes = Array(kargs.utf8) + [0]
        var header = mcos_boot_block()
        header.magic = magic
        header.version = UInt32(MCOS_BOOT_BLOCK_VERSION)
        header.nr_cpus = UInt32(cpus.count)
        header.nr_chunks = UInt32(chunks.count)
        header.nr_nodes = UInt32(nodes)
        header.kargs_len = UInt32(kargsBytes.count)
        var offset = MemoryLayout<mcos_boot_block>.size
        header.cpus_off = UInt64(offset)
        for (apicID, node, linuxCPU) in cpus {
            memory.store(mcos_boot_cpu(apic_id: apicID, node: node, linux_cpu: linuxCPU, reserved0: 0), at: offset)
            offset += MemoryLayout<mcos_boot_cpu>.stride
        }
        header.chunks_off = UInt64(offset)
        for (physical, bytes, node) in chunks {
            memory.store(mcos_boot_chunk(phys: physical, bytes: bytes, node: node, reserved0: 0), at: offset)
            offset += MemoryLayout<mcos_boot_chunk>.stride
        }
        header.distance_off = UInt64(offset)
        for a in 0..<nodes {
            for b in 0..<nodes { memory.store32(offset + (a * nodes + b) * 4, a == b ? 10 : 31) }
        }
        offset += nodes * nodes * 4
        header.kargs_off = UInt64(offset)
        for (index, byte) in kargsBytes.enumerated() { memory.store8(offset + index, byte) }
        offset += kargsBytes.count
        header.size = UInt32(offset)
        header.kmsg_phys = 0x1234_5000
        header.tsc_khz = 2_600_000
        header.free_off = 0x3_0000
        header.trampoline_phys = 0x99000
        memory.store(header, at: 0)
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
        #expect(BootOptions(parsing: info.commandLine, testFaults: true).testFault == .pageFault)
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
        noCPU[MemoryLayout<mcos_boot_block>.offset(of: \.nr_cpus)!] = 0
        #expect(throws: BootInfo.ParseError.noCPU) { try noCPU.withUnsafeBytes { try BootInfo(parsing: $0) } }
        var outside = good
        outside[MemoryLayout<mcos_boot_block>.offset(of: \.chunks_off)! + 1] = 0x40  // far past the block
        #expect(throws: BootInfo.ParseError.tableOutside("chunks")) { try outside.withUnsafeBytes { try BootInfo(parsing: $0) } }
    }
}

@Suite struct LiveBootBlockTests {
    /// What the LWK reports lands in the fields mcos_boot.c reads, and the other way round.
    @Test func reportsReachTheModulesFields() {
        let memory = ByteMemory(count: MemoryLayout<mcos_boot_block>.size)
        var header = mcos_boot_block()
        header.free_off = 0x5_0000
        memory.store(header, at: 0)
        let live = LiveBootBlock(memory: memory)
        #expect(live.freeOffset == 0x5_0000 && !live.shutdownRequested)
        live.bootCPUStarted()
        live.cpuStarted()
        live.cpuParked()
        live.recordPanic(cpu: 1)
        live.publishIKC(physical: 0x8000_0000, ringBytes: 4096, slots: 63, contexts: 24)
        live.setStatus(MCOS_BOOT_READY)
        header = memory.load(mcos_boot_block.self)
        #expect(header.nr_started == 2 && live.startedCPUs == 2 && header.nr_parked == 1 && header.panic_cpu == 2)
        #expect(header.ikc_phys == 0x8000_0000 && header.ikc_bytes == 4096 && header.ikc_slots == 63 && header.nr_contexts == 24)
        #expect(header.status == MCOS_BOOT_READY.rawValue)
        header.shutdown = 1
        memory.store(header, at: 0)
        #expect(live.shutdownRequested)
    }

    /// The interrupt the module names, as mcos_notify_target() packs it; none at 0.
    @Test func linuxInterruptIsUnpackedAsTheModulePacksIt() throws {
        let memory = ByteMemory(count: MemoryLayout<mcos_boot_block>.size)
        let live = LiveBootBlock(memory: memory)
        #expect(live.linuxInterrupt == nil)
        var header = mcos_boot_block()
        header.notify = mcos_notify_target(0xec, 0x1_0002)
        memory.store(header, at: 0)
        let wake = try #require(live.linuxInterrupt)
        #expect(wake.vector == 0xec && wake.apicID == 0x1_0002)
        header.notify = mcos_notify_target(7, 3)
        memory.store(header, at: 0)
        #expect(live.linuxInterrupt == nil, "an exception vector is never sent")
    }
}
