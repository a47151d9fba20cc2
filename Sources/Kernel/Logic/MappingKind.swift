/// What backs a user mapping and how it is shared: the four kinds mmap makes, and what
/// fork, a write fault, madvise and msync mean for each. A region records its kind
/// beside its range and protection (the existing `UserRegion` can carry it as one more
/// field; a replacement map would too).
public enum MappingKind: Equatable {
    /// MAP_PRIVATE | MAP_ANONYMOUS: zero pages, copy-on-write after fork.
    case anonymousPrivate
    /// MAP_SHARED | MAP_ANONYMOUS: one set of frames that fork shares, never copies.
    case anonymousShared
    /// MAP_PRIVATE of a file: the file's bytes read once into LWK frames, then the
    /// process's own (a write copies; the file never sees it).
    case filePrivate(file: UInt32, offset: UInt64)
    /// MAP_SHARED of a file: frames the file's Linux pages are (so a write is seen by
    /// read(2) and other mappers); msync and munmap write back.
    case fileShared(file: UInt32, offset: UInt64)

    /// From mmap's flags and descriptor: exactly one of MAP_SHARED (or
    /// MAP_SHARED_VALIDATE) and MAP_PRIVATE, else EINVAL. `file` is the proxy's handle
    /// for the descriptor; `offset` must be page-aligned (EINVAL).
    public static func of(flags: UInt64, file: UInt32?, offset: UInt64) throws(Errno) -> MappingKind {
        let shared: Bool
        switch flags & MapFlag.type {
        case MapFlag.shared, MapFlag.sharedValidate: shared = true
        case MapFlag.privateMapping: shared = false
        default: throw .inval
        }
        guard offset % UserSpace.pageSize == 0 else { throw .inval }
        if flags & MapFlag.anonymous != 0 { return shared ? .anonymousShared : .anonymousPrivate }
        guard let file else { throw .badf }
        return shared ? .fileShared(file: file, offset: offset) : .filePrivate(file: file, offset: offset)
    }

    public var isShared: Bool {
        switch self {
        case .anonymousShared, .fileShared: return true
        case .anonymousPrivate, .filePrivate: return false
        }
    }

    /// What fork does with a page of this kind: shared kinds keep one frame writable
    /// in both; private ones become copy-on-write (read-only in both until a write).
    public var forkSharesWritably: Bool { isShared }

    /// What madvise asks here, beyond `UserSpace.Advice` for private anonymous memory:
    /// DONTNEED on a private file mapping brings the file's bytes back (not zeros), on
    /// shared memory drops nothing (the frames are the file's or the sharers'); FREE is
    /// for private anonymous memory only (EINVAL elsewhere), REMOVE for shared memory
    /// only (EINVAL without a file, EACCES for a private file mapping).
    public enum AdviceEffect: Equatable {
        case nothing
        case zeroFill
        case refetchFile
        /// MADV_REMOVE: punch the range out of the shared backing (its pages read as zero).
        case punchHole
    }

    public func advice(_ advice: UInt64) throws(Errno) -> AdviceEffect {
        typealias A = MadviseAdvice
        guard let general = UserSpace.Advice(advice) else {
            guard advice == A.remove else { throw .inval }
            switch self {
            case .anonymousPrivate: throw .inval
            case .filePrivate: throw .acces
            case .anonymousShared, .fileShared: return .punchHole
            }
        }
        if advice == A.free, self != .anonymousPrivate { throw .inval }
        guard general == .discard else { return .nothing }
        switch self {
        case .anonymousPrivate: return .zeroFill
        case .filePrivate: return .refetchFile
        case .anonymousShared, .fileShared: return .nothing
        }
    }
}

/// How many address spaces map each frame of copy-on-write memory: fork raises the
/// count of every private page it shares, and a write fault on a read-only private page
/// asks it whether to copy (others still map the frame) or take the frame over (the
/// writer is its last user). Shared kinds count their mappers too, so a frame is freed
/// only when its last mapper goes. Keyed by frame number; frames absent have count 1.
///
/// Its room is made once, for `capacity` frames: counting never allocates. In the LWK a
/// failed allocation is a trap (a panic any user's fork could reach), and a fork could
/// not undo half its work; a frame beyond the room is refused instead (`share`: false).
public struct FrameReferences: Equatable {
    /// The counts over 1, as an open-addressed table (linear probing, a power of two
    /// slots, at most half full): a slot's key is its frame + 1, 0 when empty. Not a
    /// Dictionary: its growth computes in floating point, which the LWK's kernel code
    /// must not touch (the registers are the program's).
    private var keys: [UInt64]
    private var values: [UInt32]
    /// Frames counted here (those with a count over 1).
    public private(set) var entries = 0
    /// The most frames counted at once.
    public let capacity: Int

    /// Room for the counts of `capacity` frames (at most 2^30), made now.
    public init(capacity: Int) {
        self.capacity = min(max(capacity, 0), 1 << 30)
        var slots = 16
        while slots < self.capacity * 2 { slots *= 2 }
        keys = [UInt64](repeating: 0, count: slots)
        values = [UInt32](repeating: 0, count: slots)
    }

    public var isEmpty: Bool { entries == 0 }

    public func count(_ frame: UInt64) -> UInt32 {
        guard let slot = find(frame) else { return 1 }
        return values[slot]
    }

    private func find(_ frame: UInt64) -> Int? {
        guard !keys.isEmpty else { return nil }
        var slot = home(frame)
        while keys[slot] != 0 {
            if keys[slot] == frame &+ 1 { return slot }
            slot = (slot + 1) & (keys.count - 1)
        }
        return nil
    }

    private func home(_ frame: UInt64) -> Int { Int(truncatingIfNeeded: (frame &* 0x9e37_79b9_7f4a_7c15) >> 40) & (keys.count - 1) }

    /// False only when `frame` needs a slot and the room is full.
    private mutating func set(_ frame: UInt64, _ value: UInt32) -> Bool {
        if let slot = find(frame) {
            if value > 1 { values[slot] = value } else { remove(at: slot) }
            return true
        }
        guard value > 1 else { return true }
        guard entries < capacity else { return false }
        var slot = home(frame)
        while keys[slot] != 0 { slot = (slot + 1) & (keys.count - 1) }
        keys[slot] = frame &+ 1
        values[slot] = value
        entries += 1
        return true
    }

    /// Linear probing's deletion: later keys of the same run move back into the hole.
    private mutating func remove(at removed: Int) {
        let mask = keys.count - 1
        var hole = removed
        var slot = (hole + 1) & mask
        while keys[slot] != 0 {
            let want = home(keys[slot] &- 1)
            // Moves back unless its home lies cyclically in (hole, slot].
            if (slot > hole && (want <= hole || want > slot)) || (slot < hole && want <= hole && want > slot) {
                keys[hole] = keys[slot]
                values[hole] = values[slot]
                hole = slot
            }
            slot = (slot + 1) & mask
        }
        keys[hole] = 0
        values[hole] = 0
        entries -= 1
    }

    /// One more address space maps `frame` (fork); false, with nothing changed, when the
    /// frame is not counted yet and the room is full.
    public mutating func share(_ frame: UInt64) -> Bool {
        set(frame, count(frame) &+ 1)
    }

    /// One mapper lets go (unmap, exit, or a copy made on a write fault); true when that
    /// was the last and the frame can go back to the allocator.
    public mutating func release(_ frame: UInt64) -> Bool {
        let now = count(frame)
        guard now > 1 else { return true }
        _ = set(frame, now - 1)  // a counted frame: never needs a slot
        return false
    }

    /// What fork does to one present page in the parent: `makeReadOnly` for a private
    /// writable page (in both address spaces), and the frame is shared either way.
    public struct ForkedPage: Equatable {
        public var makeReadOnly: Bool
    }

    /// nil, with nothing changed, when the frame cannot be counted (`share`).
    public mutating func fork(frame: UInt64, kind: MappingKind, writable: Bool) -> ForkedPage? {
        guard share(frame) else { return nil }
        return ForkedPage(makeReadOnly: writable && !kind.forkSharesWritably)
    }

    public enum WriteFault: Equatable {
        /// Others map it: copy into a new frame, map that writable, release this one.
        case copy
        /// The last user: make the same frame writable again.
        case takeOver
        /// Not a copy-on-write page (the region is not writable): SIGSEGV SEGV_ACCERR.
        case refuse
    }

    /// A write to a present read-only page of a region of `kind` whose protection
    /// allows writing (`regionWritable`).
    public func writeFault(frame: UInt64, kind: MappingKind, regionWritable: Bool) -> WriteFault {
        guard regionWritable, !kind.isShared else { return .refuse }
        return count(frame) > 1 ? .copy : .takeOver
    }
}
