import CMcosABI

/// Linux's checks of the memory calls' arguments (mm/mmap.c, mm/mprotect.c,
/// mm/madvise.c of 6.1 and 6.12), in Linux's order, so that a hostile argument gets the
/// error Linux would give. What passes is a page range of Linux's user space; the
/// program's memory lies in the part of it that is the LWK's user range (`UserSpace`),
/// and the rest is unmapped as far as the program can tell.
public enum MemoryArguments {
    /// TASK_SIZE_MAX of a 4-level x86-64 process: where Linux's user space ends.
    public static let linuxUserEnd: UInt64 = 0x7fff_ffff_f000
    /// vm.mmap_min_addr as Debian sets it, which is where the LWK's user range starts.
    public static let mmapMinAddress: UInt64 = MCOS_USER_START
    /// mprotect(2)'s PROT_GROWSDOWN and PROT_GROWSUP, and PROT_SEM (accepted, ignored).
    public static let growsDown: UInt64 = 0x0100_0000, growsUp: UInt64 = 0x0200_0000, semaphore: UInt64 = 0x8

    public struct Range: Equatable {
        public var start: UInt64
        public var end: UInt64

        public init(start: UInt64, end: UInt64) {
            self.start = start
            self.end = end
        }

        /// The part that is the LWK's user range; nil if none is.
        public var inUserSpace: Range? {
            let low = max(start, MCOS_USER_START), high = min(end, MCOS_USER_END)
            return low < high ? Range(start: low, end: high) : nil
        }
    }

    /// PAGE_ALIGN as Linux computes it: an overflow wraps to 0.
    static func pageAlign(_ value: UInt64) -> UInt64 { (value &+ 4095) & ~4095 }

    /// munmap(2): the range to unmap.
    public static func munmap(start: UInt64, length: UInt64) throws(Errno) -> Range {
        guard start % 4096 == 0, start <= linuxUserEnd, length <= linuxUserEnd - start else { throw .inval }
        let end = start + pageAlign(length)
        guard end != start else { throw .inval }
        return Range(start: start, end: end)
    }

    /// What mprotect(2) asks once its arguments pass: nil when there is nothing to do
    /// (a zero length). `grows` is PROT_GROWSDOWN or PROT_GROWSUP, which the caller
    /// answers from the region at `start` (the LWK has no region that grows).
    public struct Protect: Equatable {
        public var range: Range
        public var protection: UInt32
        public var grows: Bool
    }

    public static func mprotect(start: UInt64, length: UInt64, protection: UInt64) throws(Errno) -> Protect? {
        let grows = protection & (growsDown | growsUp)
        let rest = protection & ~(growsDown | growsUp)
        guard grows != growsDown | growsUp, start % 4096 == 0 else { throw .inval }
        guard length != 0 else { return nil }
        let end = start &+ pageAlign(length)
        guard end > start else { throw .noMem }
        guard rest & ~(UInt64(UserSpace.protectionBits) | semaphore) == 0 else { throw .inval }
        return Protect(range: Range(start: start, end: end), protection: UInt32(rest) & UserSpace.protectionBits, grows: grows != 0)
    }

    /// madvise(2): the advice and the range; a nil range when there is nothing to do.
    public static func madvise(start: UInt64, length: UInt64, advice: UInt64) throws(Errno) -> (UserSpace.Advice, Range?) {
        guard let kind = UserSpace.Advice(advice), start % 4096 == 0 else { throw .inval }
        let aligned = pageAlign(length)
        guard length == 0 || aligned != 0 else { throw .inval }
        let end = start &+ aligned
        guard end >= start else { throw .inval }
        return (kind, end == start ? nil : Range(start: start, end: end))
    }

    /// Where an mmap(2) of anonymous memory goes: exactly `range` (MAP_FIXED, and with
    /// MAP_FIXED_NOREPLACE only over free space), or anywhere, `range` being a hint
    /// (starting at 0 when there is none). `range` never wraps.
    /// `privateMapping` false: a type the LWK does not map (EINVAL, which Linux gives
    /// after placement). `anonymous` false: a file's, whose descriptor the caller has
    /// checked already (EBADF comes before every check here but the offset's), and
    /// whose own checks (`FileMapCheck`) come after placement.
    public struct Mmap: Equatable {
        public var range: Range
        public var protection: UInt32
        public var fixed: Bool
        public var replace: Bool
        public var privateMapping: Bool
        public var anonymous: Bool = true
    }

    public static func mmap(address: UInt64, length: UInt64, protection: UInt64, flags: UInt64, offset: UInt64) throws(Errno) -> Mmap {
        guard offset % 4096 == 0 else { throw .inval }
        guard length != 0 else { throw .inval }
        let bytes = pageAlign(length)
        guard bytes != 0, bytes <= linuxUserEnd else { throw .noMem }
        let fixed = flags & (MapFlag.fixed | MapFlag.fixedNoReplace) != 0
        var start = address
        if fixed {
            guard address <= linuxUserEnd - bytes else { throw .noMem }
            guard address % 4096 == 0 else { throw .inval }
            guard address >= mmapMinAddress else { throw .perm }
        } else {
            // A hint is only a hint: one that cannot be (past Linux's user space, or
            // wrapping) is no hint at all, as in get_unmapped_area.
            start = pageAlign(address)
            if start > linuxUserEnd - bytes { start = 0 }
        }
        return Mmap(range: Range(start: start, end: start &+ bytes), protection: UInt32(truncatingIfNeeded: protection) & UserSpace.protectionBits,
                    fixed: fixed, replace: flags & MapFlag.fixedNoReplace == 0, privateMapping: flags & MapFlag.type == MapFlag.privateMapping,
                    anonymous: flags & MapFlag.anonymous != 0)
    }
}
