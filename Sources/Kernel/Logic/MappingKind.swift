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
public struct FrameReferences: Equatable {
    public private(set) var counts: [UInt64: UInt32] = [:]

    public init() {}

    public func count(_ frame: UInt64) -> UInt32 { counts[frame] ?? 1 }

    /// One more address space maps `frame` (fork).
    public mutating func share(_ frame: UInt64) {
        counts[frame] = count(frame) + 1
    }

    /// One mapper lets go (unmap, exit, or a copy made on a write fault); true when that
    /// was the last and the frame can go back to the allocator.
    public mutating func release(_ frame: UInt64) -> Bool {
        let now = count(frame)
        if now <= 1 {
            counts[frame] = nil
            return true
        }
        counts[frame] = now - 1 == 1 ? nil : now - 1
        return false
    }

    /// What fork does to one present page in the parent: `makeReadOnly` for a private
    /// writable page (in both address spaces), and the frame is shared either way.
    public struct ForkedPage: Equatable {
        public var makeReadOnly: Bool
    }

    public mutating func fork(frame: UInt64, kind: MappingKind, writable: Bool) -> ForkedPage {
        share(frame)
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
