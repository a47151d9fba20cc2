import CMcosABI

/// The unified address space of a program on the LWK (mcos_abi.h): it lives in
/// [MCOS_USER_START, MCOS_USER_END) only, and mcexec maps the same range of its own
/// address space over the same frames, so a pointer means the same bytes on both sides.
public enum UserSpace {
    /// What madvise(2) advice asks of the LWK's memory, which is mapped eagerly and never
    /// paged: only the discards change what the program sees (its pages read as zero
    /// afterwards, as on Linux); every other advice Linux knows for private anonymous
    /// memory is a hint with nothing to do. nil: an advice Linux refuses here (EINVAL).
    public enum Advice: Equatable, Sendable {
        case hint
        case discard

        public init?(_ advice: UInt64) {
            typealias A = MadviseAdvice
            switch advice {
            case A.dontNeed, A.free, A.dontNeedLocked: self = .discard
            // NORMAL, RANDOM, SEQUENTIAL, WILLNEED; DONTFORK … POPULATE_WRITE; COLLAPSE
            case A.normal...A.willNeed, A.dontFork...A.populateWrite, A.collapse: self = .hint
            default: return nil  // MADV_REMOVE (shared memory only), HWPOISON, unknown
            }
        }
    }

    public static let pageSize: UInt64 = 4096

    /// Every MCOS_PROT_* bit (= PROT_READ | PROT_WRITE | PROT_EXEC); any other is EINVAL.
    public static let protectionBits: UInt32 = MCOS_PROT_READ | MCOS_PROT_WRITE | MCOS_PROT_EXEC

    public static func pageUp(_ value: UInt64) -> UInt64? {
        value > UInt64.max - (pageSize - 1) ? nil : (value + pageSize - 1) & ~(pageSize - 1)
    }

    /// [start, start + bytes rounded up to pages) if `start` is page-aligned, `bytes` is
    /// not zero and the whole range is user space; nil otherwise.
    public static func range(start: UInt64, bytes: UInt64) -> (start: UInt64, end: UInt64)? {
        guard bytes > 0, start % pageSize == 0, let length = pageUp(bytes),
              start >= MCOS_USER_START, start <= MCOS_USER_END, length <= MCOS_USER_END - start else { return nil }
        return (start, start + length)
    }
}

/// One mapped range of a process, page-aligned, with its protection (MCOS_PROT_*).
public struct UserRegion: Equatable {
    public var start: UInt64
    public var end: UInt64
    public var protection: UInt32

    public init(start: UInt64, end: UInt64, protection: UInt32) {
        self.start = start
        self.end = end
        self.protection = protection
    }

    public var bytes: UInt64 { end - start }
}

/// The regions of one process, sorted and disjoint; touching regions with the same
/// protection are merged so the list stays short. Memory is mapped eagerly, so this
/// list is exactly what the page table holds; munmap and mprotect split regions.
public struct RegionMap: Equatable {
    public private(set) var regions: [UserRegion] = []

    public init() {}

    public var mappedBytes: UInt64 { regions.reduce(0) { $0 + $1.bytes } }

    /// Whether any mapped byte lies in [start, end).
    public func overlaps(start: UInt64, end: UInt64) -> Bool {
        regions.contains { $0.start < end && start < $0.end }
    }

    /// Whether every page of [start, end) is mapped.
    public func covers(start: UInt64, end: UInt64) -> Bool {
        var position = start
        for region in regions where region.end > position && region.start < end {
            if region.start > position { return false }
            position = region.end
            if position >= end { return true }
        }
        return position >= end
    }

    public func region(containing address: UInt64) -> UserRegion? {
        regions.first { $0.start <= address && address < $0.end }
    }

    /// Adds a region over unmapped space; false (and nothing changes) on overlap.
    @discardableResult
    public mutating func insert(_ region: UserRegion) -> Bool {
        guard region.start < region.end, !overlaps(start: region.start, end: region.end) else { return false }
        let position = regions.firstIndex { $0.start > region.start } ?? regions.count
        regions.insert(region, at: position)
        merge(around: position)
        return true
    }

    /// Removes [start, end) from every region it touches (splitting them) and returns
    /// the pieces that were mapped, in address order.
    @discardableResult
    public mutating func remove(start: UInt64, end: UInt64) -> [UserRegion] {
        var removed: [UserRegion] = []
        var kept: [UserRegion] = []
        for region in regions {
            guard region.start < end && start < region.end else { kept.append(region); continue }
            if region.start < start { kept.append(UserRegion(start: region.start, end: start, protection: region.protection)) }
            removed.append(UserRegion(start: max(region.start, start), end: min(region.end, end), protection: region.protection))
            if region.end > end { kept.append(UserRegion(start: end, end: region.end, protection: region.protection)) }
        }
        regions = kept
        return removed
    }

    /// Gives every page of [start, end) `protection`; false (nothing changes) unless
    /// the whole range is mapped (mprotect's ENOMEM).
    public mutating func protect(start: UInt64, end: UInt64, protection: UInt32) -> Bool {
        guard start < end, covers(start: start, end: end) else { return false }
        remove(start: start, end: end)
        insert(UserRegion(start: start, end: end, protection: protection))
        return true
    }

    /// Top-down placement for mmap without MAP_FIXED: the highest free range of `bytes`
    /// that ends at or below `top` and starts at or above `bottom`.
    public func findFree(bytes: UInt64, top: UInt64 = MCOS_USER_MMAP_TOP, bottom: UInt64 = MCOS_USER_START) -> UInt64? {
        guard bytes > 0, top >= bottom, bytes <= top - bottom else { return nil }
        var ceiling = top
        for region in regions.reversed() where region.start < ceiling {
            let floor = max(region.end, bottom)
            if ceiling >= floor, ceiling - floor >= bytes { return ceiling - bytes }
            ceiling = region.start
            if ceiling <= bottom { return nil }
        }
        return ceiling - bottom >= bytes ? ceiling - bytes : nil
    }

    private mutating func merge(around position: Int) {
        var index = position
        if index + 1 < regions.count, regions[index].end == regions[index + 1].start,
           regions[index].protection == regions[index + 1].protection {
            regions[index].end = regions[index + 1].end
            regions.remove(at: index + 1)
        }
        if index > 0, regions[index - 1].end == regions[index].start, regions[index - 1].protection == regions[index].protection {
            regions[index - 1].end = regions[index].end
            regions.remove(at: index)
            index -= 1
        }
    }
}

/// brk(2) as Linux answers it: the break never goes below where it started; a request
/// that cannot be met leaves it where it was, and the call returns the (new or old)
/// break. The heap is [start, pageUp(current)).
public struct ProgramBreak: Equatable {
    public let start: UInt64
    public private(set) var current: UInt64

    public init(start: UInt64) {
        self.start = start
        current = start
    }

    /// What a request means for the mapped pages.
    public enum Step: Equatable {
        /// Below the start, beyond user space, or zero (the query glibc makes first).
        case refuse
        /// Same pages, only the break moves.
        case move
        /// Map [from, to) read-write.
        case grow(from: UInt64, to: UInt64)
        /// Unmap [from, to).
        case shrink(from: UInt64, to: UInt64)
    }

    public func step(to request: UInt64) -> Step {
        guard request >= start, request <= MCOS_USER_END,
              let newEnd = UserSpace.pageUp(request), let oldEnd = UserSpace.pageUp(current) else { return .refuse }
        if newEnd > oldEnd { return .grow(from: oldEnd, to: newEnd) }
        if newEnd < oldEnd { return .shrink(from: newEnd, to: oldEnd) }
        return .move
    }

    /// Records that `request` was met.
    public mutating func commit(_ request: UInt64) { current = request }
}
