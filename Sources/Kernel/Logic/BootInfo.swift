/// The boot block the module hands the LWK (`struct mcos_boot_block` in mcos_abi.h), read
/// from raw bytes with the offsets below (the C header checks the same offsets with
/// `_Static_assert`). It sits at the first 4 KiB boundary after the image in the LWK's
/// window; its tables follow it.
public struct BootInfo {
    public struct Cpu: Equatable {
        public var apicID: UInt32
        public var node: Int
        public var linuxCPU: UInt32
    }

    public struct Chunk: Equatable {
        public var physical: UInt64
        public var bytes: UInt64
        public var node: Int
    }

    public enum ParseError: Error, Equatable {
        case tooShort, badMagic, badVersion, tableOutside(String), noCPU, noMemory
    }

    public static let magic: UInt32 = 0x534f_434d  // "MCOS"
    public static let version: UInt32 = 2

    // Offsets of the fields, as in mcos_abi.h.
    public enum Offset {
        public static let magic = 0, version = 4, size = 8, status = 12
        public static let nrCPUs = 16, nrChunks = 20, nrNodes = 24, kargsLength = 28
        public static let cpus = 32, chunks = 40, distances = 48, kargs = 56
        public static let kmsgPhysical = 64, tscKHz = 72, freeOffset = 80
        public static let trampolinePhysical = 88, trampolineLockPhysical = 96
        public static let ikcPhysical = 104, ikcBytes = 112, ikcSlots = 116
        public static let shutdown = 120, nrStarted = 124, nrParked = 128, panicCPU = 132
        public static let header = 168
        public static let cpuEntry = 16, chunkEntry = 24
    }

    public var cpus: [Cpu] = []
    public var chunks: [Chunk] = []
    /// distances[a][b], SLIT style (10 = local).
    public var distances: [[Int]] = []
    public var commandLine = ""
    public var kmsgPhysical: UInt64 = 0
    public var tscKHz: UInt64 = 0
    /// Window offset where memory free for the LWK starts (after image, block, tables).
    public var freeOffset: UInt64 = 0
    public var trampolinePhysical: UInt64 = 0
    public var trampolineLockPhysical: UInt64 = 0

    public init() {}

    /// Parses `block` (the whole boot area). Tables must lie inside it.
    public init(parsing block: UnsafeRawBufferPointer) throws(ParseError) {
        self.init()
        func u32(_ at: Int) -> UInt32 { block.loadUnaligned(fromByteOffset: at, as: UInt32.self) }
        func u64(_ at: Int) -> UInt64 { block.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        func table(_ name: String, _ offset: UInt64, _ bytes: Int) throws(ParseError) -> Int {
            guard offset >= UInt64(Offset.header), offset <= UInt64(block.count),
                  UInt64(block.count) - offset >= UInt64(bytes) else { throw .tableOutside(name) }
            return Int(offset)
        }
        guard block.count >= Offset.header else { throw .tooShort }
        guard u32(Offset.magic) == Self.magic else { throw .badMagic }
        guard u32(Offset.version) == Self.version else { throw .badVersion }
        guard UInt64(u32(Offset.size)) <= UInt64(block.count) else { throw .tooShort }
        let nrCPUs = Int(u32(Offset.nrCPUs)), nrChunks = Int(u32(Offset.nrChunks))
        let nrNodes = Int(u32(Offset.nrNodes)), kargsLength = Int(u32(Offset.kargsLength))
        guard nrCPUs > 0, nrCPUs <= 4096 else { throw .noCPU }
        guard nrChunks > 0, nrChunks <= 1 << 20 else { throw .noMemory }
        guard nrNodes > 0, nrNodes <= 1024 else { throw .tableOutside("distances") }

        let cpuBase = try table("cpus", u64(Offset.cpus), nrCPUs * Offset.cpuEntry)
        for index in 0..<nrCPUs {
            let at = cpuBase + index * Offset.cpuEntry
            cpus.append(Cpu(apicID: u32(at), node: Int(Int32(bitPattern: u32(at + 4))), linuxCPU: u32(at + 8)))
        }
        let chunkBase = try table("chunks", u64(Offset.chunks), nrChunks * Offset.chunkEntry)
        for index in 0..<nrChunks {
            let at = chunkBase + index * Offset.chunkEntry
            chunks.append(Chunk(physical: u64(at), bytes: u64(at + 8), node: Int(Int32(bitPattern: u32(at + 16)))))
        }
        let distanceBase = try table("distances", u64(Offset.distances), nrNodes * nrNodes * 4)
        for a in 0..<nrNodes {
            var row: [Int] = []
            for b in 0..<nrNodes { row.append(Int(u32(distanceBase + (a * nrNodes + b) * 4))) }
            distances.append(row)
        }
        if kargsLength > 0 {
            let kargsBase = try table("kargs", u64(Offset.kargs), kargsLength)
            var bytes: [UInt8] = []
            for index in 0..<kargsLength {
                let byte = block[kargsBase + index]
                if byte == 0 { break }
                bytes.append(byte)
            }
            commandLine = String(decoding: bytes, as: UTF8.self)
        }
        kmsgPhysical = u64(Offset.kmsgPhysical)
        tscKHz = u64(Offset.tscKHz)
        freeOffset = u64(Offset.freeOffset)
        trampolinePhysical = u64(Offset.trampolinePhysical)
        trampolineLockPhysical = u64(Offset.trampolineLockPhysical)
    }

    /// Bytes of memory per NUMA node, for nodes 0..<distances.count.
    public var bytesPerNode: [UInt64] {
        var bytes = [UInt64](repeating: 0, count: max(distances.count, (chunks.map { $0.node }.max() ?? -1) + 1))
        for chunk in chunks where chunk.node >= 0 { bytes[chunk.node] += chunk.bytes }
        return bytes
    }

    /// Physical address of a window offset (chunks laid end to end), or nil.
    public func physical(windowOffset: UInt64) -> UInt64? {
        var base: UInt64 = 0
        for chunk in chunks {
            if windowOffset < base + chunk.bytes { return chunk.physical + (windowOffset - base) }
            base += chunk.bytes
        }
        return nil
    }

    /// Window offset of a physical address inside a chunk, or nil.
    public func windowOffset(physical: UInt64) -> UInt64? {
        var base: UInt64 = 0
        for chunk in chunks {
            if physical >= chunk.physical && physical - chunk.physical < chunk.bytes { return base + (physical - chunk.physical) }
            base += chunk.bytes
        }
        return nil
    }

    /// Per node, the free physical ranges: every chunk minus the window prefix
    /// [0, freeOffset) that holds the image, the boot block and the module's tables.
    public func freeRanges() -> [(node: Int, start: UInt64, bytes: UInt64)] {
        var ranges: [(node: Int, start: UInt64, bytes: UInt64)] = []
        var base: UInt64 = 0
        for chunk in chunks {
            let used = freeOffset > base ? min(freeOffset - base, chunk.bytes) : 0
            let usedRounded = (used + 4095) & ~4095
            if usedRounded < chunk.bytes {
                ranges.append((chunk.node, chunk.physical + usedRounded, chunk.bytes - usedRounded))
            }
            base += chunk.bytes
        }
        return ranges
    }
}
