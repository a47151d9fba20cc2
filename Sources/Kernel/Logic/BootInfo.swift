import CMcosABI

/// The boot block the module hands the LWK (`struct mcos_boot_block` and its tables),
/// parsed once. It sits at the first 4 KiB boundary after the image in the LWK's
/// window; its tables follow it. The fields both sides keep touching while the LWK
/// runs are `LiveBootBlock`'s.
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
        let headerBytes = MemoryLayout<mcos_boot_block>.size
        func table(_ name: String, _ offset: UInt64, _ bytes: Int) throws(ParseError) -> Int {
            guard offset >= UInt64(headerBytes), offset <= UInt64(block.count),
                  UInt64(block.count) - offset >= UInt64(bytes) else { throw .tableOutside(name) }
            return Int(offset)
        }
        guard block.count >= headerBytes else { throw .tooShort }
        let header = block.loadUnaligned(as: mcos_boot_block.self)
        guard header.magic == MCOS_BOOT_MAGIC else { throw .badMagic }
        guard header.version == MCOS_BOOT_BLOCK_VERSION else { throw .badVersion }
        guard UInt64(header.size) <= UInt64(block.count) else { throw .tooShort }
        let nrCPUs = Int(header.nr_cpus), nrChunks = Int(header.nr_chunks)
        let nrNodes = Int(header.nr_nodes), kargsLength = Int(header.kargs_len)
        guard nrCPUs > 0, nrCPUs <= 4096 else { throw .noCPU }
        guard nrChunks > 0, nrChunks <= 1 << 20 else { throw .noMemory }
        guard nrNodes > 0, nrNodes <= 1024 else { throw .tableOutside("distances") }

        let cpuStride = MemoryLayout<mcos_boot_cpu>.stride
        let cpuBase = try table("cpus", header.cpus_off, nrCPUs * cpuStride)
        for index in 0..<nrCPUs {
            let cpu = block.loadUnaligned(fromByteOffset: cpuBase + index * cpuStride, as: mcos_boot_cpu.self)
            cpus.append(Cpu(apicID: cpu.apic_id, node: Int(cpu.node), linuxCPU: cpu.linux_cpu))
        }
        let chunkStride = MemoryLayout<mcos_boot_chunk>.stride
        let chunkBase = try table("chunks", header.chunks_off, nrChunks * chunkStride)
        for index in 0..<nrChunks {
            let chunk = block.loadUnaligned(fromByteOffset: chunkBase + index * chunkStride, as: mcos_boot_chunk.self)
            chunks.append(Chunk(physical: chunk.phys, bytes: chunk.bytes, node: Int(chunk.node)))
        }
        let distanceStride = MemoryLayout<UInt32>.stride
        let distanceBase = try table("distances", header.distance_off, nrNodes * nrNodes * distanceStride)
        for a in 0..<nrNodes {
            var row: [Int] = []
            for b in 0..<nrNodes {
                row.append(Int(block.loadUnaligned(fromByteOffset: distanceBase + (a * nrNodes + b) * distanceStride, as: UInt32.self)))
            }
            distances.append(row)
        }
        if kargsLength > 0 {
            let kargsBase = try table("kargs", header.kargs_off, kargsLength)
            var bytes: [UInt8] = []
            for index in 0..<kargsLength {
                let byte = block[kargsBase + index]
                if byte == 0 { break }
                bytes.append(byte)
            }
            commandLine = String(decoding: bytes, as: UTF8.self)
        }
        kmsgPhysical = header.kmsg_phys
        tscKHz = header.tsc_khz
        freeOffset = header.free_off
        trampolinePhysical = header.trampoline_phys
        trampolineLockPhysical = header.tramp_lock_phys
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
