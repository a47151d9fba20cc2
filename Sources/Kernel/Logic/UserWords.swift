/// A program's memory as the kernel's thread logic (futexes, robust lists, tid words)
/// reads and changes it: 32-bit futex words, changed atomically because the program's
/// other threads run on other CPUs at the same time, and 64-bit pointers. Every access
/// checks what the program itself could do; nil or false is EFAULT. The image works on
/// the process's page table; tests on a dictionary.
public protocol UserWords: UserMemoryReader {
    /// The aligned 32-bit word at `address`.
    func load32(_ address: UInt64) -> UInt32?
    /// The 64-bit word at `address`.
    func load64(_ address: UInt64) -> UInt64?
    /// Replaces the aligned 32-bit word at `address` with `change(old)` in one atomic
    /// step (a locked read-modify-write, as futex_atomic_op_inuser makes it) and returns
    /// the old value; nil when the program could not write it, nothing being changed.
    func update32(_ address: UInt64, _ change: (UInt32) -> UInt32) -> UInt32?
    /// put_user of a 32-bit word.
    func store32(_ address: UInt64, _ value: UInt32) -> Bool
    /// The physical address of the byte at `address`, the key of a shared futex (the
    /// same word whoever maps it); nil when nothing is mapped there.
    func physical(_ address: UInt64) -> UInt64?
}

extension UserWords {
    public func load32(_ address: UInt64) -> UInt32? {
        read(address, count: 4).map { UInt32(truncatingIfNeeded: $0.field(at: 0, size: 4)) }
    }

    public func load64(_ address: UInt64) -> UInt64? {
        read(address, count: 8).map { $0.word(at: 0) }
    }
}
