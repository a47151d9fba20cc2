/// The program's memory as mcexec may touch it while checking a call: through Linux,
/// never by loading from its mapping itself. A page the LWK has not mapped would fault
/// in mcexec (SIGBUS); through a system call it is only an error.
protocol ProgramMemory {
    /// The `count` bytes at `address`, or nil when Linux cannot read all of them.
    func read(_ address: UInt64, count: Int) -> [UInt8]?
    /// Writes `bytes` at `address`; false when Linux cannot write all of them.
    func write(_ bytes: [UInt8], to address: UInt64) -> Bool
}
