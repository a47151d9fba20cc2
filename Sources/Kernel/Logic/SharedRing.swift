/// Memory shared with Linux (kmsg buffer, IKC rings), seen as bytes at offsets from a
/// base. The image implements it over a raw pointer with C atomics (release stores,
/// acquire loads); host tests implement it over an array.
public protocol SharedMemory {
    func load64(_ offset: Int) -> UInt64
    /// Loads with acquire ordering (the counter another side publishes).
    func loadAcquire64(_ offset: Int) -> UInt64
    /// Stores with release ordering: everything written before is visible first.
    func storeRelease64(_ offset: Int, _ value: UInt64)
    func store32(_ offset: Int, _ value: UInt32)
    func load32(_ offset: Int) -> UInt32
    func store8(_ offset: Int, _ value: UInt8)
    func load8(_ offset: Int) -> UInt8
}

/// The writer side of the kmsg ring (`struct mcos_kmsg_ring` in mcos_abi.h): a 32-byte
/// header {version u32, data_bytes u32, head u64, start u64, reserved u64} then text.
/// `head` counts every byte ever written; the text is published by moving `head` with a
/// release store after the bytes are in place. Old text is overwritten when full.
public struct KmsgRing<Memory: SharedMemory> {
    public static var headerBytes: Int { 32 }
    public static var headOffset: Int { 8 }
    public let memory: Memory

    public init(memory: Memory) { self.memory = memory }

    public var dataBytes: UInt64 { UInt64(memory.load32(4)) }
    public var head: UInt64 { memory.loadAcquire64(Self.headOffset) }

    /// Appends `text`; a ring with no data space (a corrupt header) takes nothing.
    public func write(_ text: String) {
        let size = dataBytes
        guard size > 0 else { return }
        var position = memory.load64(Self.headOffset)
        for byte in text.utf8 {
            memory.store8(Self.headerBytes + Int(position % size), byte)
            position += 1
        }
        memory.storeRelease64(Self.headOffset, position)
    }

    /// The text still in the ring (what Linux's reader sees), for tests and dumps.
    public func contents() -> [UInt8] {
        let size = dataBytes
        let end = head
        let start = max(memory.load64(16), end > size ? end - size : 0)
        var bytes: [UInt8] = []
        var position = start
        while position < end {
            bytes.append(memory.load8(Self.headerBytes + Int(position % size)))
            position += 1
        }
        return bytes
    }
}

/// One inter-kernel message (`struct mcos_ikc_packet`, 64 bytes).
public struct IKCPacket: Equatable {
    public var type: UInt32
    public var seq: UInt64
    public var args: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(type: UInt32, seq: UInt64 = 0, args: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)) {
        self.type = type
        self.seq = seq
        self.args = args
    }

    public static func == (a: IKCPacket, b: IKCPacket) -> Bool {
        a.type == b.type && a.seq == b.seq && a.args.0 == b.args.0 && a.args.1 == b.args.1
            && a.args.2 == b.args.2 && a.args.3 == b.args.3 && a.args.4 == b.args.4 && a.args.5 == b.args.5
    }

    // Types (MCOS_IKC_* in mcos_abi.h).
    public static let masterAck: UInt32 = 1
    public static let ping: UInt32 = 2
    public static let pong: UInt32 = 3
}

/// A single-producer single-consumer ring of 64-byte packets (`struct mcos_ikc_ring`):
/// a 64-byte header {write u64, read u64, slots u32, slot_bytes u32, magic u32} and then
/// the slots. `write` and `read` count packets ever written and read; the producer only
/// moves `write`, the consumer only `read`, each with a release store after touching the
/// slot, so no lock is needed on either side.
public struct IKCRing<Memory: SharedMemory> {
    public static var headerBytes: Int { 64 }
    public static var slotBytes: Int { 64 }
    public static var magic: UInt32 { 0x4349_4b52 }  // "RKIC"
    public let memory: Memory

    public init(memory: Memory) { self.memory = memory }

    /// Bytes a ring of `slots` packets takes.
    public static func bytes(slots: Int) -> Int { headerBytes + slots * slotBytes }

    /// Writes an empty ring's header.
    public func format(slots: UInt32) {
        memory.storeRelease64(0, 0)
        memory.storeRelease64(8, 0)
        memory.store32(16, slots)
        memory.store32(20, UInt32(Self.slotBytes))
        memory.store32(24, Self.magic)
    }

    public var isValid: Bool {
        memory.load32(24) == Self.magic && memory.load32(20) == UInt32(Self.slotBytes) && memory.load32(16) > 0
    }

    public var slots: UInt64 { UInt64(memory.load32(16)) }
    public var pending: UInt64 { memory.loadAcquire64(0) &- memory.loadAcquire64(8) }

    /// Producer side; false when the ring is full (or not valid).
    public func send(_ packet: IKCPacket) -> Bool {
        guard isValid else { return false }
        let write = memory.load64(0)
        let read = memory.loadAcquire64(8)
        guard write &- read < slots else { return false }
        let slot = Self.headerBytes + Int(write % slots) * Self.slotBytes
        memory.store32(slot, 1)  // MCOS_IKC_VERSION
        memory.store32(slot + 4, packet.type)
        memory.storeRelease64(slot + 8, packet.seq)
        let args = [packet.args.0, packet.args.1, packet.args.2, packet.args.3, packet.args.4, packet.args.5]
        for (index, value) in args.enumerated() { memory.storeRelease64(slot + 16 + index * 8, value) }
        memory.storeRelease64(0, write + 1)
        return true
    }

    /// Consumer side; nil when empty.
    public func receive() -> IKCPacket? {
        guard isValid else { return nil }
        let read = memory.load64(8)
        let write = memory.loadAcquire64(0)
        guard read != write else { return nil }
        let slot = Self.headerBytes + Int(read % slots) * Self.slotBytes
        var packet = IKCPacket(type: memory.load32(slot + 4), seq: memory.load64(slot + 8))
        packet.args = (
            memory.load64(slot + 16), memory.load64(slot + 24), memory.load64(slot + 32),
            memory.load64(slot + 40), memory.load64(slot + 48), memory.load64(slot + 56)
        )
        memory.storeRelease64(8, read + 1)
        return packet
    }
}
