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

        /// `advice` is an int for Linux: its low 32 bits count.
        public init?(_ advice: UInt64) {
            typealias A = MadviseAdvice
            switch UInt64(UInt32(truncatingIfNeeded: advice)) {
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
    /// A region's attribute beside its protection, in the same word so that regions of
    /// different kinds never merge: MAP_SHARED | MAP_ANONYMOUS memory, whose frames a
    /// fork shares rather than copies. mprotect keeps it.
    public static let sharedMapping: UInt32 = 0x100
    /// With `sharedMapping`: a file's shared mapping, whose frames are Linux's page cache
    /// (LinuxFrames.swift of the LWK).
    public static let linuxFrames: UInt32 = 0x200
    /// A file's shared mapping through a descriptor not opened for writing: no mprotect
    /// makes it writable (EACCES), as Linux's VM_MAYWRITE.
    public static let neverWritable: UInt32 = 0x400

    /// `value` rounded up to a page; nil past the last page (a hostile length or break).
    public static func pageUp(_ value: UInt64) -> UInt64? {
        value > UInt64.max - (pageSize - 1) ? nil : (value + (pageSize - 1)) & ~(pageSize - 1)
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
    /// Shared anonymous memory: a fork's child maps the same frames.
    public var isShared: Bool { protection & UserSpace.sharedMapping != 0 }
    /// A file's shared mapping: Linux's frames.
    public var hasLinuxFrames: Bool { protection & UserSpace.linuxFrames != 0 }
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
