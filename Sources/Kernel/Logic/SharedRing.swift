import CMcosABI

/// Memory shared with Linux (kmsg buffer, IKC rings, the boot block), seen as bytes at
/// offsets from a base. The image implements it over a raw pointer with C atomics
/// (release stores, acquire loads); host tests implement it over an array.
public protocol SharedMemory {
    func load64(_ offset: Int) -> UInt64
    /// Loads with acquire ordering (the counter another side publishes).
    func loadAcquire64(_ offset: Int) -> UInt64
    /// Stores with release ordering: everything written before is visible first.
    func storeRelease64(_ offset: Int, _ value: UInt64)
    func store32(_ offset: Int, _ value: UInt32)
    func load32(_ offset: Int) -> UInt32
    /// Adds atomically; returns the new value.
    func add32(_ offset: Int, _ value: UInt32) -> UInt32
    func store8(_ offset: Int, _ value: UInt8)
    func load8(_ offset: Int) -> UInt8
    /// Orders every access before it before every access after it, stores before
    /// loads included (which acquire and release do not).
    func fence()
}

/// The writer side of the kmsg ring (`struct mcos_kmsg_ring`, then its text). `head`
/// counts every byte ever written; the text is published by moving `head` with a
/// release store after the bytes are in place. Old text is overwritten when full.
///
/// The header is shared with Linux, so the size of the text space is the writer's own,
/// fixed when it set the ring up: whatever `data_bytes` says later, no byte is written
/// outside the buffer, however the other side rewrites the header.
public struct KmsgRing<Memory: SharedMemory> {
    static var textOffset: Int { MemoryLayout<mcos_kmsg_ring>.size }
    static var headOffset: Int { MemoryLayout<mcos_kmsg_ring>.offset(of: \.head)! }
    static var startOffset: Int { MemoryLayout<mcos_kmsg_ring>.offset(of: \.start)! }
    static var dataBytesOffset: Int { MemoryLayout<mcos_kmsg_ring>.offset(of: \.data_bytes)! }
    /// The text space of the buffer the module allocates: MCOS_KMSG_SIZE, header included.
    public static var bufferDataBytes: UInt64 { UInt64(MCOS_KMSG_SIZE) - UInt64(textOffset) }
    public let memory: Memory
    /// Bytes of text space, the writer's copy; 0 takes nothing.
    public let dataBytes: UInt64

    public init(memory: Memory, dataBytes: UInt64) {
        self.memory = memory
        self.dataBytes = dataBytes
    }

    /// What the shared header says the text space is (for reports; never an index).
    public var announcedDataBytes: UInt64 { UInt64(memory.load32(Self.dataBytesOffset)) }
    public var head: UInt64 { memory.loadAcquire64(Self.headOffset) }

    /// Appends `text`; a ring with no text space takes nothing.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: $0) }
    }

    /// Appends `bytes` (the panic path's, which must not allocate).
    public func write(bytes: UnsafeBufferPointer<UInt8>) {
        let size = dataBytes
        guard size > 0 else { return }
        var position = memory.load64(Self.headOffset)
        for byte in bytes {
            memory.store8(Self.textOffset + Int(position % size), byte)
            position += 1
        }
        memory.storeRelease64(Self.headOffset, position)
    }

    /// The text still in the ring (what Linux's reader sees), for tests and dumps.
    public func contents() -> [UInt8] {
        let size = dataBytes
        let end = head
        let start = max(memory.load64(Self.startOffset), end > size ? end - size : 0)
        var bytes: [UInt8] = []
        var position = start
        while position < end {
            bytes.append(memory.load8(Self.textOffset + Int(position % size)))
            position += 1
        }
        return bytes
    }
}

/// One inter-kernel message (`struct mcos_ikc_packet`).
public struct IKCPacket: Equatable {
    public var type: mcos_ikc_type
    public var seq: UInt64
    public var args: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(type: mcos_ikc_type, seq: UInt64 = 0, args: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)) {
        self.type = type
        self.seq = seq
        self.args = args
    }

    public static func == (a: IKCPacket, b: IKCPacket) -> Bool {
        a.type == b.type && a.seq == b.seq && a.args.0 == b.args.0 && a.args.1 == b.args.1
            && a.args.2 == b.args.2 && a.args.3 == b.args.3 && a.args.4 == b.args.4 && a.args.5 == b.args.5
    }
}

/// A single-producer single-consumer ring of packets (`struct mcos_ikc_ring`, then its
/// slots). `write` and `read` count packets ever written and read; the producer only
/// moves `write`, the consumer only `read`, each with a release store after touching the
/// slot, so no lock is needed on either side.
///
/// The header is shared with Linux, so the number of slots is the LWK's own, the one it
/// formatted the ring with and announced in the boot block: whatever `slots` says later,
/// no slot outside the ring is touched, however the other side rewrites the header.
/// `write` and `read` are only ever used modulo that number.
public struct IKCRing<Memory: SharedMemory> {
    static var headerBytes: Int { MemoryLayout<mcos_ikc_ring>.size }
    static var slotBytes: Int { MemoryLayout<mcos_ikc_packet>.size }
    static var writeOffset: Int { MemoryLayout<mcos_ikc_ring>.offset(of: \.write)! }
    static var readOffset: Int { MemoryLayout<mcos_ikc_ring>.offset(of: \.read)! }
    static var slotsOffset: Int { MemoryLayout<mcos_ikc_ring>.offset(of: \.slots)! }
    static var slotBytesOffset: Int { MemoryLayout<mcos_ikc_ring>.offset(of: \.slot_bytes)! }
    static var magicOffset: Int { MemoryLayout<mcos_ikc_ring>.offset(of: \.magic)! }
    static var consumerSleepsOffset: Int { MemoryLayout<mcos_ikc_ring>.offset(of: \.consumer_sleeps)! }
    // Inside a slot.
    static var versionOffset: Int { MemoryLayout<mcos_ikc_packet>.offset(of: \.version)! }
    static var typeOffset: Int { MemoryLayout<mcos_ikc_packet>.offset(of: \.type)! }
    static var seqOffset: Int { MemoryLayout<mcos_ikc_packet>.offset(of: \.seq)! }
    static func argumentOffset(_ index: Int) -> Int {
        MemoryLayout<mcos_ikc_packet>.offset(of: \.args)! + index * MemoryLayout<UInt64>.size
    }
    public let memory: Memory
    /// Packets the ring holds: the owner's copy, at least one.
    public let slots: UInt64

    /// A ring of `slots` packets at `memory` (which must hold `bytes(slots:)`); 0 counts
    /// as 1, so that no index is ever taken modulo 0.
    public init(memory: Memory, slots: UInt32) {
        self.memory = memory
        self.slots = UInt64(max(slots, 1))
    }

    /// Bytes a ring of `slots` packets takes.
    public static func bytes(slots: Int) -> Int { headerBytes + slots * slotBytes }

    /// How many packets fit in a ring of `bytes`, header included (0 if not one).
    public static func slots(fitting bytes: Int) -> UInt32 {
        bytes > headerBytes ? UInt32(clamping: (bytes - headerBytes) / slotBytes) : 0
    }

    /// Writes an empty ring's header, with this ring's number of slots.
    public func format() {
        memory.storeRelease64(Self.writeOffset, 0)
        memory.storeRelease64(Self.readOffset, 0)
        memory.store32(Self.slotsOffset, UInt32(truncatingIfNeeded: slots))
        memory.store32(Self.slotBytesOffset, UInt32(Self.slotBytes))
        memory.store32(Self.magicOffset, MCOS_IKC_MAGIC)
    }

    /// Whether the shared header is still what `format` wrote (a check for tests and
    /// reports: sending and receiving never depend on it).
    public var headerIntact: Bool {
        memory.load32(Self.magicOffset) == MCOS_IKC_MAGIC && memory.load32(Self.slotBytesOffset) == UInt32(Self.slotBytes)
            && UInt64(memory.load32(Self.slotsOffset)) == slots
    }

    public var pending: UInt64 { memory.loadAcquire64(Self.writeOffset) &- memory.loadAcquire64(Self.readOffset) }

    /// Producer side; false when the ring is full.
    public func send(_ packet: IKCPacket) -> Bool {
        let write = memory.load64(Self.writeOffset)
        let read = memory.loadAcquire64(Self.readOffset)
        guard write &- read < slots else { return false }
        let slot = Self.headerBytes + Int(write % slots) * Self.slotBytes
        memory.store32(slot + Self.versionOffset, UInt32(MCOS_IKC_VERSION))
        memory.store32(slot + Self.typeOffset, packet.type.rawValue)
        memory.storeRelease64(slot + Self.seqOffset, packet.seq)
        memory.storeRelease64(slot + Self.argumentOffset(0), packet.args.0)
        memory.storeRelease64(slot + Self.argumentOffset(1), packet.args.1)
        memory.storeRelease64(slot + Self.argumentOffset(2), packet.args.2)
        memory.storeRelease64(slot + Self.argumentOffset(3), packet.args.3)
        memory.storeRelease64(slot + Self.argumentOffset(4), packet.args.4)
        memory.storeRelease64(slot + Self.argumentOffset(5), packet.args.5)
        memory.storeRelease64(Self.writeOffset, write + 1)
        return true
    }

    /// Producer side, after a `send`: whether the consumer sleeps until it is told a
    /// packet came. The fence keeps the read from passing the send's `write`: the
    /// consumer sets the flag, then reads `write`, so one of the two sees the other.
    public var consumerSleeps: Bool {
        memory.fence()
        return memory.load32(Self.consumerSleepsOffset) != 0
    }

    /// Consumer side; nil when empty.
    public func receive() -> IKCPacket? {
        let read = memory.load64(Self.readOffset)
        let write = memory.loadAcquire64(Self.writeOffset)
        guard read != write else { return nil }
        let slot = Self.headerBytes + Int(read % slots) * Self.slotBytes
        func argument(_ index: Int) -> UInt64 { memory.load64(slot + Self.argumentOffset(index)) }
        let packet = IKCPacket(
            type: mcos_ikc_type(rawValue: memory.load32(slot + Self.typeOffset)), seq: memory.load64(slot + Self.seqOffset),
            args: (argument(0), argument(1), argument(2), argument(3), argument(4), argument(5)))
        memory.storeRelease64(Self.readOffset, read + 1)
        return packet
    }
}
