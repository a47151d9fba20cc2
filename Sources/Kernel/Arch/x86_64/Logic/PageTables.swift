/// x86-64 4-level page tables for the LWK's own address space: one virtual window laid
/// over the list of physical chunks it was given, with 2 MiB pages wherever virtual and
/// physical addresses allow and 4 KiB pages elsewhere. Table memory comes from the
/// caller, so the same code runs on the host against a model of physical memory.
public enum PageTables {
    public static let smallPage: UInt64 = 4096
    public static let largePage: UInt64 = 2 << 20

    // Entry bits.
    public static let present: UInt64 = 1 << 0
    public static let writable: UInt64 = 1 << 1
    public static let user: UInt64 = 1 << 2
    public static let largePageBit: UInt64 = 1 << 7
    public static let writeThrough: UInt64 = 1 << 3
    public static let cacheDisable: UInt64 = 1 << 4
    public static let global: UInt64 = 1 << 8
    public static let noExecute: UInt64 = 1 << 63
    public static let addressMask: UInt64 = 0x000f_ffff_ffff_f000

    // What the kernel maps with: its own window (code and data, in every address
    // space), and physical memory it only reads and writes; device registers uncached.
    public static let kernelWindow: UInt64 = writable | global
    public static let physicalMap: UInt64 = writable | noExecute
    public static let uncached: UInt64 = writeThrough | cacheDisable

    public struct Mapping: Equatable {
        public var virtual: UInt64
        public var physical: UInt64
        public var bytes: UInt64
        public var pageSize: UInt64
    }

    /// Splits the window `[virtualBase, …)` laid over `chunks` in order into runs of one
    /// page size. Chunks must be page-aligned.
    public static func layout(virtualBase: UInt64, chunks: [(physical: UInt64, bytes: UInt64)]) -> [Mapping] {
        var mappings: [Mapping] = []
        var virtual = virtualBase
        for chunk in chunks {
            var physical = chunk.physical
            let end = chunk.physical + chunk.bytes
            while physical < end {
                let remaining = end - physical
                let large = virtual % largePage == 0 && physical % largePage == 0 && remaining >= largePage
                let size = large ? largePage : smallPage
                let runEnd: UInt64
                if large {
                    runEnd = physical + (remaining / largePage) * largePage
                } else {
                    // 4 KiB pages up to the next point where both sides are 2 MiB aligned.
                    let toVirtualBoundary = (largePage - virtual % largePage) % largePage
                    let toPhysicalBoundary = (largePage - physical % largePage) % largePage
                    let step = toVirtualBoundary == toPhysicalBoundary && toVirtualBoundary != 0 ? toVirtualBoundary : remaining
                    runEnd = physical + min(step, remaining)
                }
                let bytes = runEnd - physical
                if let last = mappings.last, last.pageSize == size, last.virtual + last.bytes == virtual, last.physical + last.bytes == physical {
                    mappings[mappings.count - 1].bytes += bytes
                } else {
                    mappings.append(Mapping(virtual: virtual, physical: physical, bytes: bytes, pageSize: size))
                }
                virtual += bytes
                physical = runEnd
            }
        }
        return mappings
    }

    /// Writes the tables for `mappings` and returns the physical address of the PML4
    /// (what goes into CR3). Table pages come from `memory`, zeroed.
    public static func build<Memory: TableMemory>(_ mappings: [Mapping], flags: UInt64, into memory: inout Memory) -> UInt64? {
        guard let root = memory.allocateTable() else { return nil }
        for mapping in mappings {
            var offset: UInt64 = 0
            while offset < mapping.bytes {
                let virtual = mapping.virtual + offset
                let physical = mapping.physical + offset
                let large = mapping.pageSize == largePage
                guard map(virtual: virtual, physical: physical, large: large, flags: flags, root: root, memory: &memory) else { return nil }
                offset += mapping.pageSize
            }
        }
        return root
    }

    /// The slot of `virtual` in a table of the level whose entries each map 2^shift bytes.
    static func slot(_ table: UInt64, _ virtual: UInt64, shift: UInt64) -> UInt64 { table + ((virtual >> shift) & 511) * 8 }

    static func map<Memory: TableMemory>(
        virtual: UInt64, physical: UInt64, large: Bool, flags: UInt64, root: UInt64, memory: inout Memory
    ) -> Bool {
        let leafShift: UInt64 = large ? 21 : 12
        var table = root
        var shift: UInt64 = 39
        while shift > leafShift {
            let at = slot(table, virtual, shift: shift)
            var entry = memory.read(at)
            if entry & present == 0 {
                guard let next = memory.allocateTable() else { return false }
                // Intermediate entries allow everything; the leaf decides.
                entry = next | present | writable | (flags & user)
                memory.write(at, entry)
            }
            table = entry & addressMask
            shift -= 9
        }
        let leaf = physical | flags | present | (large ? largePageBit : 0)
        memory.write(slot(table, virtual, shift: leafShift), leaf)
        return true
    }

    /// Walks the tables like the MMU: the physical address of `virtual`, or nil.
    public static func translate<Memory: TableMemory>(_ virtual: UInt64, root: UInt64, memory: Memory) -> UInt64? {
        var table = root
        var shift: UInt64 = 39
        while shift >= 12 {
            let entry = memory.read(slot(table, virtual, shift: shift))
            guard entry & present != 0 else { return nil }
            if shift == 21, entry & largePageBit != 0 {
                return (entry & addressMask & ~(largePage - 1)) | (virtual & (largePage - 1))
            }
            table = entry & addressMask
            shift -= 9
        }
        return table | (virtual & (smallPage - 1))
    }
}

/// Physical memory as page-table code needs it: zeroed table pages and 64-bit words.
public protocol TableMemory {
    mutating func allocateTable() -> UInt64?
    func read(_ physical: UInt64) -> UInt64
    mutating func write(_ physical: UInt64, _ value: UInt64)
}
