/// process_vm_readv(2) and process_vm_writev(2) between two programs on the LWK: Linux's
/// checks of the call, and the walk of both iovec lists in steps that stay within one
/// page on each side (the kernel copies one page's worth at a time).
public enum CrossMemory {
    /// UIO_MAXIOV: more iovecs on either side is EINVAL.
    public static let maximumSegments: UInt64 = 1024
    /// MAX_RW_COUNT: what one call moves at most (INT_MAX rounded down to a page).
    public static let largestTransfer: UInt64 = 0x7fff_f000
    /// Pages copied under one taking of both processes' locks: few enough that the other
    /// program's threads wait for their lock no longer than a few page copies.
    public static let pagesPerHold = 16

    /// Linux's checks before anything is read: no flags are defined, and the counts.
    public static func check(flags: UInt64, localCount: UInt64, remoteCount: UInt64) throws(Errno) {
        guard flags == 0, localCount <= maximumSegments, remoteCount <= maximumSegments else { throw .inval }
    }

    /// The bytes an iovec array of `count` entries at `address` names, as
    /// rw_copy_check_uvector adds them: EFAULT when the array cannot be read, EINVAL for
    /// a length that is negative as an ssize_t; more than MAX_RW_COUNT counts as that.
    public static func total(at address: UInt64, count: UInt64, memory: some UserMemoryReader) throws(Errno) -> UInt64 {
        var total: UInt64 = 0
        for index in 0..<count {
            guard let entry = memory.read(address &+ index * 16, count: 16), address &+ index * 16 >= address else { throw .fault }
            let length = entry.word(at: 8)
            guard length <= UInt64(Int64.max) else { throw .inval }
            total = min(total + min(length, largestTransfer), largestTransfer)
        }
        return total
    }

    /// Where one list of iovecs stands: the array, its count, the entry at hand and what
    /// is left of it.
    public struct Cursor {
        let array: UInt64
        let count: UInt64
        var index: UInt64 = 0
        public private(set) var address: UInt64 = 0
        public private(set) var left: UInt64 = 0

        public init(array: UInt64, count: UInt64) {
            self.array = array
            self.count = count
        }

        /// Moves to the next entry with bytes left, reading it from `memory`; false at the
        /// end of the list or when the entry cannot be read any more.
        public mutating func settle(memory: some UserMemoryReader) -> Bool {
            while left == 0 {
                guard index < count, let entry = memory.read(array &+ index * 16, count: 16) else { return false }
                index += 1
                address = entry.word(at: 0)
                left = min(entry.word(at: 8), CrossMemory.largestTransfer)
            }
            return true
        }

        public mutating func advance(by bytes: UInt64) {
            address &+= bytes
            left -= min(bytes, left)
        }
    }

    /// The next step's length: what both entries have left, up to the end of the page on
    /// either side and of `room` (what the call may still move).
    public static func step(local: Cursor, remote: Cursor, room: UInt64) -> UInt64 {
        let pageLeft = { (address: UInt64) in 4096 - address % 4096 }
        return min(local.left, remote.left, pageLeft(local.address), pageLeft(remote.address), room)
    }
}
