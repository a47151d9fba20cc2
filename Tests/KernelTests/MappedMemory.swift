@testable import Kernel

/// A program's memory for the kernel's reads: one mapped range.
struct MappedMemory: UserMemoryReader {
    var base: UInt64
    var bytes: [UInt8]

    init(base: UInt64, size: Int) {
        self.base = base
        bytes = [UInt8](repeating: 0, count: size)
    }

    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard address >= base, address - base <= UInt64(bytes.count), UInt64(count) <= UInt64(bytes.count) - (address - base) else { return nil }
        let start = Int(address - base)
        return Array(bytes[start..<start + count])
    }

    /// Writes as copy_to_user: false, and nothing written, unless every byte is mapped.
    mutating func write(_ data: [UInt8], at address: UInt64) -> Bool {
        guard read(address, count: data.count) != nil else { return false }
        let start = Int(address - base)
        for (index, byte) in data.enumerated() { bytes[start + index] = byte }
        return true
    }
}
