import CMcosABI

/// Linux's checks of an mmap(2) of a file (mm/mmap.c do_mmap of 6.1 and 6.12), from what
/// the proxy reports of the descriptor (MCOS_PROXY_FILE_FACTS): the LWK decides the
/// errno itself, in Linux's order, so that the proxy only states facts. Private and
/// shared mappings of regular files are made; what Linux would map and the LWK does not
/// (device files such as /dev/zero) is `unsupported`.
public enum FileMapCheck {
    /// What the proxy found about the program's descriptor.
    public struct Facts: Equatable, Sendable {
        /// st_mode >> 12: 8 regular file, 4 directory, 1 FIFO, 2 character device, ...
        public var fileType: UInt32
        public var readable: Bool
        public var writable: Bool
        /// On a file system mounted noexec (PROT_EXEC is EPERM there).
        public var noExec: Bool

        public static let regularFile: UInt32 = 8, blockDevice: UInt32 = 6, socket: UInt32 = 12

        public init(fileType: UInt32, readable: Bool, writable: Bool, noExec: Bool = false) {
            self.fileType = fileType
            self.readable = readable
            self.writable = writable
            self.noExec = noExec
        }

        /// From the proxy's answer: -errno (EBADF) passes through as the error.
        public init(answer: Int64) throws(Errno) {
            guard answer >= 0 else {
                throw Errno(rawValue: Int32(truncatingIfNeeded: -answer)) ?? .badf
            }
            let word = UInt32(truncatingIfNeeded: answer)
            self.init(fileType: word & MCOS_FILE_FACT_TYPE_MASK, readable: word & MCOS_FILE_FACT_READABLE != 0,
                      writable: word & MCOS_FILE_FACT_WRITABLE != 0, noExec: word & MCOS_FILE_FACT_NOEXEC != 0)
        }

        /// The word the proxy answers with.
        public var answer: Int64 {
            var word = fileType & MCOS_FILE_FACT_TYPE_MASK
            if readable { word |= MCOS_FILE_FACT_READABLE }
            if writable { word |= MCOS_FILE_FACT_WRITABLE }
            if noExec { word |= MCOS_FILE_FACT_NOEXEC }
            return Int64(word)
        }
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// Linux refuses it too, with this errno.
        case linux(Errno)
        /// Linux would map it; the LWK does not (yet): this errno, and a log line.
        case unsupported(Errno, why: String)

        public var errno: Errno {
            switch self {
            case .linux(let errno), .unsupported(let errno, _): return errno
            }
        }
    }

    /// MAP_GROWSDOWN: EINVAL for a file.
    public static let growsDown: UInt64 = 0x0100
    /// MAP_HUGETLB: EINVAL for a file, as Linux answers for any file not on hugetlbfs.
    public static let hugeTLB: UInt64 = 0x4_0000

    /// The check Linux makes of a file mapping's flags once it has the file, before
    /// anything else (ksys_mmap_pgoff): MAP_HUGETLB only of hugetlbfs files, which the LWK
    /// does not map. A program that tries huge pages first (UCX does) then falls back to
    /// small ones instead of getting a mapping longer than its file.
    public static func checkFlags(_ flags: UInt64) throws(Refusal) {
        if flags & hugeTLB != 0 { throw .linux(.inval) }
    }
    /// MAX_LFS_FILESIZE: the largest offset of a regular file (file_mmap_size_max).
    static let largestFileOffset: UInt64 = UInt64(Int64.max)

    /// The checks after placement: file_mmap_ok, the mapping type, the descriptor's
    /// access mode, noexec, whether the file can be mapped at all. `offset` is
    /// page-aligned and `bytes` page-rounded (MemoryArguments.mmap checked both).
    public static func check(_ facts: Facts, flags: UInt64, protection: UInt32, offset: UInt64, bytes: UInt64) throws(Refusal) {
        let isRegular = facts.fileType == Facts.regularFile
        let maximum = isRegular || facts.fileType == Facts.blockDevice || facts.fileType == Facts.socket ? largestFileOffset : UInt64.max
        guard offset < maximum, bytes <= maximum - offset else { throw .linux(.overflow) }
        switch flags & MapFlag.type {
        case MapFlag.shared, MapFlag.sharedValidate:
            if protection & MCOS_PROT_WRITE != 0, !facts.writable { throw .linux(.acces) }
        case MapFlag.privateMapping: break
        default: throw .linux(.inval)
        }
        guard facts.readable else { throw .linux(.acces) }
        if facts.noExec, protection & MCOS_PROT_EXEC != 0 { throw .linux(.perm) }
        // Directories, FIFOs and sockets have no mmap in Linux either.
        guard isRegular || facts.fileType == Facts.blockDevice || facts.fileType == 2 else { throw .linux(.noDev) }
        guard isRegular else { throw .unsupported(.noDev, why: "only regular files are mapped, not devices") }
        if flags & growsDown != 0 { throw .linux(.inval) }
    }
}
