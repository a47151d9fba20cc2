/// The LWK's physical memory: a buddy allocator per NUMA node over the free parts of
/// the chunks Linux gave it. Every request and every release takes O(log) time however
/// fragmented memory is, and the bookkeeping never grows: it is laid out once at boot,
/// in the memory it describes, so that nothing a program does (mapping and unmapping
/// every other page, say) can make the allocator itself run out of room.
///
/// Memory is cut into spans: the free part of one 4 MiB-aligned block (`maxOrder`, the
/// size and alignment of the module's chunks). Blocks of 2^k pages never leave their
/// span, so a block's buddy is found by address. Each span keeps, in its own first
/// pages, a byte per page (the order of the free block that page starts, if it starts
/// one) and the free-list links; `tableBytes` more (the span table, the counters and
/// the list heads) come from the caller.
public struct FrameAllocator {
    public static let pageSize: UInt64 = 4096
    public static let maxOrder = 10
    static let spanPages = 1 << maxOrder
    static let spanBytes = pageSize << UInt64(maxOrder)
    /// The largest block there can be: half a span. No span is ever free whole, since
    /// each keeps its bookkeeping in its first pages.
    public static let largestBlockBytes = spanBytes / 2
    /// A page that starts no free block.
    static let notFree: UInt8 = 0xff
    /// The end of a free list.
    static let none: UInt32 = .max

    /// One span: the block `base` and the pages [first, end) of it that it manages.
    struct Span {
        var base: UInt64
        var first: UInt32
        var end: UInt32
        var node: Int32
        var orders: UnsafeMutablePointer<UInt8>
        var links: UnsafeMutablePointer<UInt32>  // next, previous: page ids

        var start: UInt64 { base + UInt64(first) * pageSize }
    }

    public let nodes: Int
    private let spans: UnsafeMutablePointer<Span>
    public private(set) var spanCount = 0
    private let heads: UnsafeMutablePointer<UInt32>  // [node][order]
    private let free: UnsafeMutablePointer<UInt64>  // bytes, per node
    private let total: UnsafeMutablePointer<UInt64>  // bytes, per node

    /// Pages at a span's start that hold its bookkeeping.
    static var metadataPages: Int {
        (spanPages * (1 + 2 * MemoryLayout<UInt32>.stride) + Int(pageSize) - 1) / Int(pageSize)
    }

    /// Bytes the caller provides for `ranges` on `nodes` nodes (see `init`).
    public static func tableBytes(ranges: [(node: Int, start: UInt64, bytes: UInt64)], nodes: Int) -> Int {
        var spans = 0
        for range in ranges { spans += Self.pieces(start: range.start, bytes: range.bytes) }
        return spans * MemoryLayout<Span>.stride + nodes * (maxOrder + 1) * MemoryLayout<UInt32>.stride
            + 2 * nodes * MemoryLayout<UInt64>.stride
    }

    /// Takes the free physical `ranges` (page-aligned, disjoint), with its table at
    /// `table` (`tableBytes` long) and each span's own bookkeeping at the start of the
    /// span, reached through `window` (physical address → pointer).
    public init(ranges: [(node: Int, start: UInt64, bytes: UInt64)], nodes: Int, table: UnsafeMutableRawPointer,
                window: (UInt64) -> UnsafeMutableRawPointer) {
        self.nodes = nodes
        var capacity = 0
        for range in ranges { capacity += Self.pieces(start: range.start, bytes: range.bytes) }
        spans = table.bindMemory(to: Span.self, capacity: capacity)
        let countersAt = table + capacity * MemoryLayout<Span>.stride
        free = countersAt.bindMemory(to: UInt64.self, capacity: 2 * nodes)
        total = free + nodes
        let headsAt = countersAt + 2 * nodes * MemoryLayout<UInt64>.stride
        heads = headsAt.bindMemory(to: UInt32.self, capacity: nodes * (Self.maxOrder + 1))
        heads.initialize(repeating: Self.none, count: nodes * (Self.maxOrder + 1))
        free.initialize(repeating: 0, count: 2 * nodes)

        for range in ranges where range.node >= 0 && range.node < nodes {
            var start = range.start
            let end = range.start + range.bytes
            while start < end {
                let base = start & ~(Self.spanBytes - 1)
                let stop = min(end, base + Self.spanBytes)
                addSpan(base: base, first: start, end: stop, node: range.node, window: window)
                start = stop
            }
        }
        sortSpans()
        // Every page free, as the largest blocks its alignment allows.
        for index in 0..<spanCount {
            let span = spans[index]
            release(spanIndex: index, page: Int(span.first), pages: Int(span.end - span.first))
            total[Int(span.node)] += UInt64(span.end - span.first) * Self.pageSize
        }
    }

    /// Free bytes on `node`.
    public func freeBytes(node: Int) -> UInt64 { node >= 0 && node < nodes ? free[node] : 0 }
    /// Bytes `node` has in all (what it started with).
    public func totalBytes(node: Int) -> UInt64 { node >= 0 && node < nodes ? total[node] : 0 }
    public var freeBytes: UInt64 { (0..<nodes).reduce(0) { $0 + free[$1] } }

    /// Free blocks on `node` (fragmentation, for the boot log).
    public func freeBlocks(node: Int) -> Int {
        var blocks = 0
        for order in 0...Self.maxOrder {
            var page = heads[node * (Self.maxOrder + 1) + order]
            while page != Self.none {
                blocks += 1
                page = next(page)
            }
        }
        return blocks
    }

    /// `bytes` of contiguous memory on `node`, aligned to `alignment` (a power of two,
    /// at least a page) and to its own size rounded up to a power of two; nil if none.
    public mutating func allocate(bytes: UInt64, node: Int, alignment: UInt64 = pageSize) -> UInt64? {
        guard bytes > 0, bytes <= Self.spanBytes, node >= 0, node < nodes,
              alignment >= Self.pageSize, alignment & (alignment - 1) == 0, alignment <= Self.spanBytes else { return nil }
        let pages = Int((bytes + Self.pageSize - 1) / Self.pageSize)
        var order = 0
        while 1 << order < pages || Self.pageSize << UInt64(order) < alignment { order += 1 }
        var found = order
        while found <= Self.maxOrder && heads[node * (Self.maxOrder + 1) + found] == Self.none { found += 1 }
        guard found <= Self.maxOrder else { return nil }
        let id = heads[node * (Self.maxOrder + 1) + found]
        unlink(id, order: found, node: node)
        let spanIndex = Int(id >> 10), page = Int(id & 1023)
        spans[spanIndex].orders[page] = Self.notFree
        free[node] -= Self.pageSize << UInt64(found)
        while found > order {  // the upper halves go back
            found -= 1
            push(spanIndex: spanIndex, page: page + (1 << found), order: found)
            free[node] += Self.pageSize << UInt64(found)
        }
        if pages < 1 << order { release(spanIndex: spanIndex, page: page + pages, pages: (1 << order) - pages) }
        return spans[spanIndex].base + UInt64(page) * Self.pageSize
    }

    /// Gives back what `allocate` returned, or page-aligned parts of it. False if the
    /// range is not memory of ours, or a page of it is free already.
    @discardableResult
    public mutating func release(start: UInt64, bytes: UInt64) -> Bool {
        guard start % Self.pageSize == 0, bytes > 0, let index = span(containing: start) else { return false }
        let span = spans[index]
        let page = Int((start - span.base) / Self.pageSize)
        let pages = Int((bytes + Self.pageSize - 1) / Self.pageSize)
        guard page + pages <= Int(span.end) else { return false }
        for at in page..<(page + pages) where span.orders[at] != Self.notFree { return false }
        release(spanIndex: index, page: page, pages: pages)
        return true
    }

    /// The NUMA node of a frame of ours, nil for any other address.
    public func node(of physical: UInt64) -> Int? {
        span(containing: physical).map { Int(spans[$0].node) }
    }

    // MARK: Spans

    /// How many spans a range makes.
    static func pieces(start: UInt64, bytes: UInt64) -> Int {
        guard bytes > 0 else { return 0 }
        let first = start / spanBytes, last = (start + bytes - 1) / spanBytes
        return Int(last - first + 1)
    }

    private mutating func addSpan(base: UInt64, first: UInt64, end: UInt64, node: Int, window: (UInt64) -> UnsafeMutableRawPointer) {
        let firstPage = Int((first - base) / Self.pageSize), endPage = Int((end - base) / Self.pageSize)
        guard endPage - firstPage > Self.metadataPages else { return }  // too small to be worth its bookkeeping
        let metadata = window(first)
        let orders = metadata.bindMemory(to: UInt8.self, capacity: Self.spanPages)
        orders.initialize(repeating: Self.notFree, count: Self.spanPages)
        let links = (metadata + Self.spanPages).bindMemory(to: UInt32.self, capacity: 2 * Self.spanPages)
        spans[spanCount] = Span(base: base, first: UInt32(firstPage + Self.metadataPages), end: UInt32(endPage),
                                node: Int32(node), orders: orders, links: links)
        spanCount += 1
    }

    /// Spans in address order (heapsort: in place, no memory needed).
    private mutating func sortSpans() {
        func siftDown(_ root: Int, _ end: Int) {
            var parent = root
            while 2 * parent + 1 < end {
                var child = 2 * parent + 1
                if child + 1 < end && spans[child + 1].base > spans[child].base { child += 1 }
                guard spans[child].base > spans[parent].base else { return }
                swap(&spans[child], &spans[parent])
                parent = child
            }
        }
        var index = spanCount / 2
        while index > 0 { index -= 1; siftDown(index, spanCount) }
        var end = spanCount
        while end > 1 {
            end -= 1
            swap(&spans[0], &spans[end])
            siftDown(0, end)
        }
    }

    private func span(containing physical: UInt64) -> Int? {
        var low = 0, high = spanCount
        while low < high {  // the first span whose start is above `physical`
            let middle = (low + high) / 2
            if spans[middle].start <= physical { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let span = spans[low - 1]
        return physical < span.base + UInt64(span.end) * Self.pageSize ? low - 1 : nil
    }

    // MARK: Blocks

    /// Frees pages [page, page + pages) of a span as the largest aligned blocks,
    /// each merged with its buddy for as long as the buddy is free.
    private mutating func release(spanIndex: Int, page: Int, pages: Int) {
        let node = Int(spans[spanIndex].node)
        var at = page, left = pages
        while left > 0 {
            var order = 0
            while order < Self.maxOrder && at % (2 << order) == 0 && 2 << order <= left { order += 1 }
            free[node] += Self.pageSize << UInt64(order)
            var block = at, size = order
            while size < Self.maxOrder {
                let buddy = block ^ (1 << size)
                guard buddy >= Int(spans[spanIndex].first), buddy < Int(spans[spanIndex].end),
                      spans[spanIndex].orders[buddy] == UInt8(size) else { break }
                unlink(UInt32(spanIndex << 10 | buddy), order: size, node: node)
                spans[spanIndex].orders[buddy] = Self.notFree
                block = min(block, buddy)
                size += 1
            }
            push(spanIndex: spanIndex, page: block, order: size)
            at += 1 << order
            left -= 1 << order
        }
    }

    private mutating func push(spanIndex: Int, page: Int, order: Int) {
        let node = Int(spans[spanIndex].node)
        let id = UInt32(spanIndex << 10 | page)
        let head = heads[node * (Self.maxOrder + 1) + order]
        spans[spanIndex].orders[page] = UInt8(order)
        setLinks(id, next: head, previous: Self.none)
        if head != Self.none { setLinks(head, next: next(head), previous: id) }
        heads[node * (Self.maxOrder + 1) + order] = id
    }

    private mutating func unlink(_ id: UInt32, order: Int, node: Int) {
        let after = next(id), before = previous(id)
        if before == Self.none {
            heads[node * (Self.maxOrder + 1) + order] = after
        } else {
            setLinks(before, next: after, previous: previous(before))
        }
        if after != Self.none { setLinks(after, next: next(after), previous: before) }
    }

    private func next(_ id: UInt32) -> UInt32 { spans[Int(id >> 10)].links[2 * Int(id & 1023)] }
    private func previous(_ id: UInt32) -> UInt32 { spans[Int(id >> 10)].links[2 * Int(id & 1023) + 1] }

    private func setLinks(_ id: UInt32, next: UInt32, previous: UInt32) {
        let links = spans[Int(id >> 10)].links + 2 * Int(id & 1023)
        links[0] = next
        links[1] = previous
    }
}
