import Kernel

/// How mcexec treats one argument of a system call it performs for the program. Linux
/// performs the call in mcexec's process, so every pointer it follows must name the
/// program's memory (the unified range, [MCOS_USER_START, MCOS_USER_END)) and never
/// mcexec's own; every descriptor must be the program's and never mcexec's.
enum ArgumentRule: Equatable, Sendable {
    /// A number or flags Linux checks itself.
    case value
    /// A file descriptor; mcexec's own get EBADF, as if they did not exist.
    case descriptor
    /// A buffer Linux reads or writes, of this many bytes at most.
    case bytes(Extent)
    /// A NUL-terminated string Linux reads up to `maximum` bytes of.
    case string(maximum: UInt64)
    /// `struct iovec[count]`, `count` being the argument at that index: the array and
    /// every buffer it names. Linux is handed mcexec's checked copy of the array.
    case iovecs(count: Int)
    /// `struct msghdr`: its name, its iovecs and its control data. Linux is handed a
    /// checked copy; what it writes back into it goes back to the program.
    case message(MessageDirection)
    /// `struct mmsghdr[count]`, each as `message`.
    case messages(count: Int, MessageDirection)
    /// A structure holding a pointer and the length of what it points at (ifconf,
    /// pselect6's signal mask): checked, and handed over as a copy.
    case embedded(EmbeddedBuffer)

    /// A path: Linux reads at most PATH_MAX bytes of it.
    static let path = string(maximum: 4096)
    /// An extended attribute's name: at most XATTR_NAME_MAX bytes and the NUL.
    static let attributeName = string(maximum: 256)

    static func fixed(_ bytes: UInt64) -> ArgumentRule { .bytes(.fixed(bytes)) }
    /// A buffer as long as the argument at `index` says.
    static func sized(by index: Int) -> ArgumentRule { .bytes(.argument(index)) }
}

/// How many bytes a buffer argument may cover, as Linux will use it.
enum Extent: Equatable, Sendable {
    /// A structure of this size.
    case fixed(UInt64)
    /// The argument at this index, plus a header (msgsnd's `long mtype`).
    case argument(Int, plus: UInt64 = 0)
    /// The argument at this index, but never more than `maximum` (Linux reads no more of
    /// a socket option than the option's size).
    case argumentAtMost(Int, maximum: UInt64)
    /// The argument at this index counts elements of `size` bytes.
    case elements(Int, size: UInt64)
    /// select(2)'s descriptor sets: the argument at this index is the highest descriptor
    /// plus one; Linux reads and writes whole 64-bit words of bits.
    case descriptorSet(Int)
    /// mincore(2)'s vector: one byte per page of the length at this index.
    case pageVector(Int)

    /// The bytes, or nil when they do not fit in 64 bits (never in range then).
    func bytes(_ arguments: [UInt64]) -> UInt64? {
        switch self {
        case .fixed(let size):
            return size
        case .argument(let index, let header):
            let (sum, overflow) = arguments[index].addingReportingOverflow(header)
            return overflow ? nil : sum
        case .argumentAtMost(let index, let maximum):
            // An int: a negative length is refused by Linux before it reads anything.
            let length = Int32(truncatingIfNeeded: arguments[index])
            return length < 0 ? 0 : min(UInt64(length), maximum)
        case .elements(let index, let size):
            let (product, overflow) = arguments[index].multipliedReportingOverflow(by: size)
            return overflow ? nil : product
        case .descriptorSet(let index):
            let count = Int32(truncatingIfNeeded: arguments[index])
            return count <= 0 ? 0 : (UInt64(count) + 63) / 64 * 8
        case .pageVector(let index):
            let (pages, overflow) = arguments[index].addingReportingOverflow(ProgramLayout.page - 1)
            return overflow ? nil : pages / ProgramLayout.page
        }
    }
}

enum MessageDirection: Equatable, Sendable {
    /// sendmsg: Linux reads the name, the buffers and the control data (whose
    /// SCM_RIGHTS descriptors must not be mcexec's).
    case send
    /// recvmsg: Linux writes them, and the lengths and flags in the header.
    case receive
}

/// A structure that points at a buffer: `pointerOffset` holds the address,
/// `lengthOffset` its length in `lengthBytes` (4 or 8) bytes.
struct EmbeddedBuffer: Equatable, Sendable {
    var size: Int
    var pointerOffset: Int
    var lengthOffset: Int
    var lengthBytes: Int
    /// Linux updates the structure (ifconf's length), so it is copied back.
    var writtenBack: Bool
}
