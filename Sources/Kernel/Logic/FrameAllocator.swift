/// Physical memory of one NUMA node, as free ranges over the chunks Linux gave us.
/// First fit with alignment; freed ranges merge with their neighbours. Chunks are not
/// adjacent in general (the module gets them from Linux's buddy allocator in any
/// order), so a request never spans two chunks unless they touch.
public struct FrameAllocator: Equatable {
    public static let pageSize: UInt64 = 4096

    public struct Range: Equatable {
        public var start: UInt64
        public var end: UInt64  // exclusive
        public var bytes: UInt64 { end - start }
    }

    public let node: Int
    public private(set) var free: [Range] = []
    public private(set) var totalBytes: UInt64 = 0

    public init(node: Int) { self.node = node }

    public var freeBytes: UInt64 { free.reduce(0) { $0 + $1.bytes } }

    /// Adds a chunk of memory the LWK owns. Page-aligned; overlapping chunks are refused.
    @discardableResult
    public mutating func add(start: UInt64, bytes: UInt64) -> Bool {
        guard bytes > 0, start % Self.pageSize == 0, bytes % Self.pageSize == 0 else { return false }
        let range = Range(start: start, end: start + bytes)
        guard !free.contains(where: { $0.start < range.end && range.start < $0.end }) else { return false }
        insert(range)
        totalBytes += bytes
        return true
    }

    /// `bytes` of physically contiguous memory aligned to `alignment` (a power of two,
    /// at least a page), or nil.
    public mutating func allocate(bytes: UInt64, alignment: UInt64 = pageSize) -> UInt64? {
        guard bytes > 0, alignment >= Self.pageSize, alignment & (alignment - 1) == 0 else { return nil }
        let size = (bytes + Self.pageSize - 1) & ~(Self.pageSize - 1)
        for (index, range) in free.enumerated() {
            let start = (range.start + alignment - 1) & ~(alignment - 1)
            guard start >= range.start, start + size <= range.end else { continue }
            free.remove(at: index)
            if start > range.start { insert(Range(start: range.start, end: start)) }
            if start + size < range.end { insert(Range(start: start + size, end: range.end)) }
            return start
        }
        return nil
    }

    /// Gives back what `allocate` returned.
    public mutating func release(start: UInt64, bytes: UInt64) {
        let size = (bytes + Self.pageSize - 1) & ~(Self.pageSize - 1)
        insert(Range(start: start, end: start + size))
    }

    /// Keeps `free` sorted and merges touching ranges.
    private mutating func insert(_ range: Range) {
        var position = free.firstIndex { $0.start > range.start } ?? free.count
        free.insert(range, at: position)
        if position + 1 < free.count, free[position].end == free[position + 1].start {
            free[position].end = free[position + 1].end
            free.remove(at: position + 1)
        }
        if position > 0, free[position - 1].end == free[position].start {
            free[position - 1].end = free[position].end
            free.remove(at: position)
            position -= 1
        }
    }
}
