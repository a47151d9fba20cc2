/// Where a region map keeps its nodes: whole 4 KiB pages, taken and given back one at a
/// time. The LWK's come from the process's own frames and count as its memory, so the
/// map never touches the kernel heap: a program that splits its memory into tens of
/// thousands of regions pays for them itself, and gets ENOMEM, never a panic.
public protocol RegionPages {
    mutating func allocatePage() -> UnsafeMutableRawPointer?
    mutating func releasePage(_ page: UnsafeMutableRawPointer)
}

/// A node of the map: one region and its treap links.
struct RegionNode {
    var start: UInt64
    var end: UInt64
    var left: UnsafeMutablePointer<RegionNode>?
    var right: UnsafeMutablePointer<RegionNode>?
    var priority: UInt32
    var protection: UInt32
}

/// The regions of one process, sorted and disjoint; touching regions with the same
/// protection are merged. Memory is mapped eagerly, so this is exactly what the page
/// table holds; munmap and mprotect split regions.
///
/// A treap keyed by start address: lookups, inserts and removals take O(log n), a
/// change that spans k regions O(k log n), whatever order the program made them in
/// (the priorities are random and the program never sees them). At most
/// `maxRegions`, as Linux's vm.max_map_count; `reserve` says beforehand whether a
/// change fits, so a change either happens whole or not at all.
public struct RegionMap<Pages: RegionPages>: ~Copyable {
    typealias Node = UnsafeMutablePointer<RegionNode>

    /// Linux's default vm.max_map_count.
    public static var maxRegions: Int { 65530 }
    /// Nodes per page after the page's link to the next one.
    static var nodesPerPage: Int { (pageBytes - linkBytes) / MemoryLayout<RegionNode>.stride }
    static var pageBytes: Int { 4096 }
    static var linkBytes: Int { 16 }

    public private(set) var pages: Pages
    public private(set) var count = 0
    public private(set) var mappedBytes: UInt64 = 0
    public private(set) var pageCount = 0
    private var root: Node?
    private var spare: Node?  // free nodes, linked through `left`
    private var spareCount = 0
    private var pageList: UnsafeMutableRawPointer?
    private var random: UInt64

    public init(pages: Pages, seed: UInt64 = 0x9e37_79b9_7f4a_7c15) {
        self.pages = pages
        random = seed | 1
    }

    /// Whatever `releaseAll` did not give back yet goes back now.
    deinit {
        var source = pages
        var page = pageList
        while let current = page {
            page = current.load(as: UnsafeMutableRawPointer?.self)
            source.releasePage(current)
        }
    }

    // MARK: Questions

    /// Whether any mapped byte lies in [start, end).
    public func overlaps(start: UInt64, end: UInt64) -> Bool {
        guard start < end, let node = floor(end - 1) else { return false }
        return node.pointee.end > start
    }

    /// Whether every page of [start, end) is mapped.
    public func covers(start: UInt64, end: UInt64) -> Bool {
        start < end && mappedEnd(from: start, upTo: end) == end
    }

    /// Where the mapped run that begins at `start` ends, at most `end`; `start` itself
    /// if `start` is not mapped.
    public func mappedEnd(from start: UInt64, upTo end: UInt64) -> UInt64 {
        guard let first = floor(start), first.pointee.end > start else { return start }
        var position = first.pointee.end
        while position < end, let next = ceiling(position), next.pointee.start == position {
            position = next.pointee.end
        }
        return min(position, end)
    }

    public func region(containing address: UInt64) -> UserRegion? {
        guard let node = floor(address), node.pointee.end > address else { return nil }
        return UserRegion(node.pointee)
    }

    /// Calls `body` with every region that overlaps [start, end), in address order.
    public func forEach(from start: UInt64, to end: UInt64, _ body: (UserRegion) -> Void) {
        var next: Node?
        if let first = floor(start), first.pointee.end > start { next = first } else { next = ceiling(start) }
        while let node = next, node.pointee.start < end {
            let region = UserRegion(node.pointee)
            body(region)
            next = ceiling(region.end)
        }
    }

    /// Every region, in order. It allocates: for tests and logs, never a system call.
    public func allRegions() -> [UserRegion] {
        var all: [UserRegion] = []
        forEach(from: 0, to: UInt64.max) { all.append($0) }
        return all
    }

    /// Top-down placement for mmap without MAP_FIXED: the highest free range of `bytes`
    /// that ends at or below `top` and starts at or above `bottom`.
    public func findFree(bytes: UInt64, top: UInt64, bottom: UInt64) -> UInt64? {
        guard bytes > 0, top >= bottom, bytes <= top - bottom else { return nil }
        var ceiling = top
        var below = top > 0 ? floor(top - 1) : nil
        while true {
            let floorAddress = max(below?.pointee.end ?? bottom, bottom)
            if ceiling >= floorAddress, ceiling - floorAddress >= bytes { return ceiling - bytes }
            guard let node = below, node.pointee.start > bottom else { return nil }
            ceiling = node.pointee.start
            below = floor(ceiling - 1)
        }
    }

    // MARK: Changes

    /// Makes room for `more` regions beyond `count`: within `maxRegions`, and nodes at
    /// hand so that no change halfway needs memory. False: ENOMEM, as Linux answers
    /// at vm.max_map_count.
    public mutating func reserve(_ more: Int) -> Bool {
        guard count + more <= Self.maxRegions else { return false }
        while spareCount < more {
            guard let page = pages.allocatePage() else { return false }
            page.storeBytes(of: pageList, as: UnsafeMutableRawPointer?.self)
            pageList = page
            pageCount += 1
            let nodes = (page + Self.linkBytes).bindMemory(to: RegionNode.self, capacity: Self.nodesPerPage)
            for index in 0..<Self.nodesPerPage { give(nodes + index) }
        }
        return true
    }

    /// How many regions a `remove` of [start, end) adds: one if a single region
    /// reaches over both ends.
    public func splits(removing start: UInt64, end: UInt64) -> Int {
        guard start < end, let first = floor(start) else { return 0 }
        return first.pointee.start < start && first.pointee.end > end ? 1 : 0
    }

    /// How many regions a `protect` of [start, end) adds at most: a split where a
    /// region with another protection reaches over either end.
    public func splits(protecting start: UInt64, end: UInt64, protection: UInt32) -> Int {
        var splits = 0
        if let first = floor(start), first.pointee.start < start, first.pointee.end > start,
           first.pointee.protection != Self.protected(first.pointee.protection, protection) { splits += 1 }
        if let last = floor(end - 1), last.pointee.end > end, last.pointee.protection != Self.protected(last.pointee.protection, protection) {
            splits += 1
        }
        return splits
    }

    /// A region's word after mprotect's `protection`: its attributes stay.
    static func protected(_ word: UInt32, _ protection: UInt32) -> UInt32 {
        (protection & UserSpace.protectionBits) | (word & ~UserSpace.protectionBits)
    }

    /// Adds a region over unmapped space, merged with neighbours of the same
    /// protection. False (and nothing changes) on overlap, or without a `reserve`d node.
    @discardableResult
    public mutating func insert(_ region: UserRegion) -> Bool {
        guard region.start < region.end, !overlaps(start: region.start, end: region.end) else { return false }
        let before = region.start > 0 ? floor(region.start - 1) : nil
        let after = ceiling(region.end)
        let joinsBefore = before.map { $0.pointee.end == region.start && $0.pointee.protection == region.protection } ?? false
        let joinsAfter = after.map { $0.pointee.start == region.end && $0.pointee.protection == region.protection } ?? false
        switch (joinsBefore, joinsAfter) {
        case (true, true):
            let end = after!.pointee.end
            delete(after!.pointee.start)
            before!.pointee.end = end
        case (true, false):
            before!.pointee.end = region.end
        case (false, true):
            after!.pointee.start = region.start  // still above its predecessor: order holds
        case (false, false):
            guard let node = take() else { return false }
            node.pointee = RegionNode(start: region.start, end: region.end, left: nil, right: nil,
                                      priority: nextPriority(), protection: region.protection)
            root = Self.insert(node, into: root)
            count += 1
        }
        mappedBytes += region.bytes
        return true
    }

    /// Removes [start, end) from every region it touches, splitting one that reaches
    /// over both ends (which needs a `reserve`d node: false, nothing changed, without).
    @discardableResult
    public mutating func remove(start: UInt64, end: UInt64) -> Bool {
        guard start < end else { return true }
        if let first = floor(start), first.pointee.start < start, first.pointee.end > start {
            if first.pointee.end > end {
                guard let node = take() else { return false }
                node.pointee = RegionNode(start: end, end: first.pointee.end, left: nil, right: nil,
                                          priority: nextPriority(), protection: first.pointee.protection)
                first.pointee.end = start
                root = Self.insert(node, into: root)
                count += 1
                mappedBytes -= end - start
                return true
            }
            mappedBytes -= first.pointee.end - start
            first.pointee.end = start
        }
        if let last = floor(end - 1), last.pointee.start >= start, last.pointee.end > end {
            mappedBytes -= end - last.pointee.start
            last.pointee.start = end  // still below its successor: order holds
        }
        let (low, rest) = Self.split(root, at: start)
        let (middle, high) = Self.split(rest, at: end)
        drop(middle)
        root = Self.merge(low, high)
        return true
    }

    /// Gives every page of [start, end) `protection`; false (nothing changes) unless the
    /// whole range is mapped (mprotect's ENOMEM) and its `splits` are `reserve`d.
    @discardableResult
    public mutating func protect(start: UInt64, end: UInt64, protection: UInt32) -> Bool {
        guard covers(start: start, end: end), spareCount >= splits(protecting: start, end: end, protection: protection) else {
            return false
        }
        if let first = floor(start), first.pointee.start < start, first.pointee.protection != Self.protected(first.pointee.protection, protection) {
            split(first, at: start)
        }
        if let last = floor(end - 1), last.pointee.end > end, last.pointee.protection != Self.protected(last.pointee.protection, protection) {
            split(last, at: end)
        }
        var next = floor(start)
        while let node = next, node.pointee.start < end {
            node.pointee.protection = Self.protected(node.pointee.protection, protection)
            next = ceiling(node.pointee.end)
        }
        // Runs of the same protection around and inside the range become one region.
        var node = floor(start)!
        if node.pointee.start > 0, let before = floor(node.pointee.start - 1), before.pointee.end == node.pointee.start,
           before.pointee.protection == node.pointee.protection {
            node = before
        }
        // (Regions of other kinds in the range, shared memory beside private, stay apart.)
        while let after = ceiling(node.pointee.end), after.pointee.start <= end {
            guard after.pointee.start == node.pointee.end, after.pointee.protection == node.pointee.protection else {
                node = after
                continue
            }
            let merged = after.pointee.end
            delete(after.pointee.start)
            node.pointee.end = merged
        }
        return true
    }

    /// Gives every node page back (a process's end).
    public mutating func releaseAll() {
        while let page = pageList {
            pageList = page.load(as: UnsafeMutableRawPointer?.self)
            pages.releasePage(page)
        }
        root = nil
        spare = nil
        spareCount = 0
        count = 0
        pageCount = 0
        mappedBytes = 0
    }

    // MARK: The tree

    /// The node with the greatest start at or below `address`.
    private func floor(_ address: UInt64) -> Node? {
        var best: Node?
        var node = root
        while let current = node {
            if current.pointee.start <= address {
                best = current
                node = current.pointee.right
            } else {
                node = current.pointee.left
            }
        }
        return best
    }

    /// The node with the least start at or above `address`.
    private func ceiling(_ address: UInt64) -> Node? {
        var best: Node?
        var node = root
        while let current = node {
            if current.pointee.start >= address {
                best = current
                node = current.pointee.left
            } else {
                node = current.pointee.right
            }
        }
        return best
    }

    /// Cuts `node`'s region in two at `address` (inside it); needs a spare node.
    private mutating func split(_ node: Node, at address: UInt64) {
        let upper = take()!
        upper.pointee = RegionNode(start: address, end: node.pointee.end, left: nil, right: nil,
                                   priority: nextPriority(), protection: node.pointee.protection)
        node.pointee.end = address
        root = Self.insert(upper, into: root)
        count += 1
    }

    /// Takes out the node that starts at `start`, whose bytes a neighbour has taken over.
    private mutating func delete(_ start: UInt64) {
        let (low, rest) = Self.split(root, at: start)
        let (node, high) = Self.split(rest, at: start + 1)
        root = Self.merge(low, high)
        if let node {
            count -= 1
            give(node)
        }
    }

    /// Frees a detached subtree whose regions are unmapped.
    private mutating func drop(_ tree: Node?) {
        guard let node = tree else { return }
        drop(node.pointee.left)
        drop(node.pointee.right)
        mappedBytes -= node.pointee.end - node.pointee.start
        count -= 1
        give(node)
    }

    /// (starts below `key`, starts at or above `key`).
    private static func split(_ tree: Node?, at key: UInt64) -> (Node?, Node?) {
        guard let node = tree else { return (nil, nil) }
        if node.pointee.start < key {
            let (low, high) = split(node.pointee.right, at: key)
            node.pointee.right = low
            return (node, high)
        }
        let (low, high) = split(node.pointee.left, at: key)
        node.pointee.left = high
        return (low, node)
    }

    /// Joins two trees, every start of `low` below every start of `high`.
    private static func merge(_ low: Node?, _ high: Node?) -> Node? {
        guard let a = low else { return high }
        guard let b = high else { return low }
        if a.pointee.priority >= b.pointee.priority {
            a.pointee.right = merge(a.pointee.right, b)
            return a
        }
        b.pointee.left = merge(a, b.pointee.left)
        return b
    }

    private static func insert(_ node: Node, into tree: Node?) -> Node {
        guard let top = tree else { return node }
        if node.pointee.priority > top.pointee.priority {
            let (low, high) = split(top, at: node.pointee.start)
            node.pointee.left = low
            node.pointee.right = high
            return node
        }
        if node.pointee.start < top.pointee.start {
            top.pointee.left = insert(node, into: top.pointee.left)
        } else {
            top.pointee.right = insert(node, into: top.pointee.right)
        }
        return top
    }

    private mutating func take() -> Node? {
        guard let node = spare else { return nil }
        spare = node.pointee.left
        spareCount -= 1
        return node
    }

    private mutating func give(_ node: Node) {
        node.pointee.left = spare
        spare = node
        spareCount += 1
    }

    private mutating func nextPriority() -> UInt32 {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return UInt32(truncatingIfNeeded: random >> 16)
    }
}

extension UserRegion {
    init(_ node: RegionNode) { self.init(start: node.start, end: node.end, protection: node.protection) }
}
