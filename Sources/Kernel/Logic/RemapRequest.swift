/// mremap(2) as region operations, checked in Linux's order (its mremap syscall,
/// mremap_to and vma_to_resize), over whatever region bookkeeping the caller has: it
/// answers three questions (`RemapSpace`), and gets back what to do.
public struct RemapRequest: Equatable {
    // MREMAP_* (linux/mman.h).
    public static let mayMove: UInt64 = 1, fixed: UInt64 = 2, dontUnmap: UInt64 = 4

    public var address: UInt64
    /// Page-rounded lengths.
    public var oldBytes: UInt64
    public var newBytes: UInt64
    public var flags: UInt64
    public var newAddress: UInt64

    /// The region an address lies in, as far as mremap cares.
    public struct Region: Equatable {
        public var start: UInt64
        public var end: UInt64
        public var isShared: Bool
        public init(start: UInt64, end: UInt64, isShared: Bool) {
            self.start = start
            self.end = end
            self.isShared = isShared
        }
    }

    public enum Plan: Equatable {
        /// Unmap [start, end); the mapping stays at `address`, smaller.
        case shrink(address: UInt64, unmapStart: UInt64, unmapEnd: UInt64)
        /// Extend the region at `address` in place to `newEnd` (the pages after it are free).
        case grow(address: UInt64, newEnd: UInt64)
        /// Move `bytes` from `from` to `to` (pages travel, nothing is copied), growing to
        /// `newBytes`; first unmap whatever is at the target when `replacesTarget`
        /// (MREMAP_FIXED), and leave the old range mapped but empty when `keepsOld`
        /// (MREMAP_DONTUNMAP: its pages read as zero or the file again). When `fromBytes`
        /// is over `newBytes`, the tail past it is unmapped first.
        case move(from: UInt64, fromBytes: UInt64, to: UInt64, newBytes: UInt64, replacesTarget: Bool, keepsOld: Bool)
    }

    static let page: UInt64 = 4096

    /// Plans mremap(`address`, `oldLength`, `newLength`, `flags`, `newAddress`) with
    /// `region(at:)`, `isFree(start, end)` and `findFree(bytes)` from the caller's map;
    /// `userEnd` is the end of the user range. Errnos: EINVAL for bad flags, alignment,
    /// lengths or overlapping ranges; EFAULT when the old range is not one mapping;
    /// ENOMEM when it cannot grow in place and may not (or cannot) move.
    public static func plan(
        address: UInt64, oldLength: UInt64, newLength: UInt64, flags: UInt64, newAddress: UInt64, userEnd: UInt64,
        region: (UInt64) -> Region?, isFree: (UInt64, UInt64) -> Bool, findFree: (UInt64) -> UInt64?
    ) throws(Errno) -> Plan {
        guard flags & ~(mayMove | fixed | dontUnmap) == 0 else { throw .inval }
        guard flags & fixed == 0 || flags & mayMove != 0 else { throw .inval }
        guard flags & dontUnmap == 0 || (flags & mayMove != 0 && oldLength == newLength) else { throw .inval }
        guard address % page == 0 else { throw .inval }
        // PAGE_ALIGN wraps as Linux's does: an old length past the last page is 0 (and
        // then no mapping's, EFAULT), a new one 0 (EINVAL).
        let oldBytes = MemoryArguments.pageAlign(oldLength), newBytes = MemoryArguments.pageAlign(newLength)
        guard newBytes != 0 else { throw .inval }

        /// vma_to_resize: the old range must sit in one region (EFAULT); a zero old
        /// length duplicates only a shared mapping (EINVAL for a private one).
        func checkedRegion() throws(Errno) -> Region {
            guard let found = region(address), found.start <= address, oldBytes <= found.end - address else { throw .fault }
            guard oldBytes != 0 || found.isShared else { throw .inval }
            return found
        }

        if flags & (fixed | dontUnmap) != 0 {
            // Both read new_address (MREMAP_DONTUNMAP as a hint), and Linux checks it
            // for both: aligned, inside user space, not overlapping the old range (move_vma
            // cannot slide within itself; the old end wraps as Linux's unsigned sum
            // does, its range being checked next).
            guard newAddress % page == 0 else { throw .inval }
            guard newBytes <= userEnd, newAddress <= userEnd - newBytes else { throw .inval }
            guard !(address &+ oldBytes > newAddress && newAddress + newBytes > address) else { throw .inval }
            _ = try checkedRegion()
            let target: UInt64
            if flags & fixed != 0 {
                target = newAddress
            } else if newAddress != 0, isFree(newAddress, newAddress + newBytes) {
                target = newAddress
            } else {
                guard let found = findFree(newBytes) else { throw .noMem }
                target = found
            }
            return .move(from: address, fromBytes: oldBytes, to: target, newBytes: newBytes,
                         replacesTarget: flags & fixed != 0, keepsOld: flags & dontUnmap != 0)
        }
        // Shrinking is an munmap of the tail, with munmap's checks (EINVAL past Linux's
        // user space; the tail's start wraps as Linux's unsigned sum does). An equal
        // length unmaps nothing.
        if oldBytes >= newBytes {
            let tail = address &+ newBytes
            guard oldBytes > newBytes else { return .shrink(address: address, unmapStart: tail, unmapEnd: tail) }
            let unmapped = try MemoryArguments.munmap(start: tail, length: oldBytes - newBytes)
            return .shrink(address: address, unmapStart: unmapped.start, unmapEnd: unmapped.end)
        }
        let found = try checkedRegion()
        if address + oldBytes == found.end, newBytes <= userEnd, address <= userEnd - newBytes,
           isFree(found.end, address + newBytes) {
            return .grow(address: address, newEnd: address + newBytes)
        }
        guard flags & mayMove != 0, let target = findFree(newBytes) else { throw .noMem }
        return .move(from: address, fromBytes: oldBytes, to: target, newBytes: newBytes, replacesTarget: false, keepsOld: false)
    }
}

/// msync(2)'s checks: flags within MS_ASYNC | MS_INVALIDATE | MS_SYNC and not both
/// ASYNC and SYNC, a page-aligned start (EINVAL); the range must be mapped (ENOMEM,
/// the caller's map answers). What it then does is `MappingKind`'s to say.
public enum MemorySync {
    public static let async: UInt64 = 1, invalidate: UInt64 = 2, sync: UInt64 = 4

    public static func check(address: UInt64, length: UInt64, flags: UInt64, isMapped: (UInt64, UInt64) -> Bool) throws(Errno) {
        guard flags & ~(async | invalidate | sync) == 0, flags & (async | sync) != (async | sync) else { throw .inval }
        guard address % RemapRequest.page == 0 else { throw .inval }
        guard let bytes = UserSpace.pageUp(length), address <= UInt64.max - bytes else { throw .noMem }
        guard bytes == 0 || isMapped(address, address + bytes) else { throw .noMem }
    }
}
