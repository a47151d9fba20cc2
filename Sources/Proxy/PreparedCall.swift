import Kernel

/// A call that passed its checks, as mcexec hands it to Linux. Most arguments go as the
/// program passed them. Structures whose pointers were checked (iovec arrays, message
/// headers) go as mcexec's own copies, in `scratch`, so that what Linux follows is
/// exactly what was checked, even if the program's copy changes meanwhile.
struct PreparedCall: Equatable, Sendable {
    enum Passed: Equatable, Sendable {
        case value(UInt64)
        /// The address of this offset in the scratch bytes.
        case scratch(Int)
    }

    /// Bytes of scratch Linux writes during the call that go back to the program.
    struct CopyBack: Equatable, Sendable {
        var scratch: Range<Int>
        var address: UInt64
        /// Part of this message of a vector (recvmmsg, sendmmsg): Linux wrote it only
        /// when it got that far, that is when the result, the messages done, is above it.
        var message: Int? = nil

        func isWritten(result: Int64) -> Bool {
            message.map { Int64($0) < result } ?? true
        }
    }

    var number: UInt32
    var arguments: [Passed]
    /// Checked copies, 8-byte aligned, to be placed anywhere in mcexec's memory.
    var scratch: [UInt8] = []
    /// Offsets in `scratch` of 8-byte words that hold an offset into `scratch` and must
    /// hold its address once the scratch is placed (a copied header's iovec pointer).
    var relocations: [Int] = []
    var copyBack: [CopyBack] = []
    /// The result is a descriptor just opened by path, to be looked at before the
    /// program gets it (`ProcessMemoryFile`).
    var opensByPath = false

    /// The arguments as the program passed them, nothing copied.
    init(number: UInt32, arguments: [UInt64]) {
        self.number = number
        self.arguments = arguments.map { .value($0) }
    }

    /// Appends `bytes` to the scratch, 8-byte aligned; returns their offset.
    mutating func append(_ bytes: [UInt8]) -> Int {
        scratch.append(contentsOf: [UInt8](repeating: 0, count: (8 - scratch.count % 8) % 8))
        let offset = scratch.count
        scratch.append(contentsOf: bytes)
        return offset
    }

    /// Makes the 8-byte word at `offset` point at scratch offset `target`.
    mutating func point(_ offset: Int, at target: Int) {
        scratch.setWord(UInt64(target), at: offset)
        relocations.append(offset)
    }
}
