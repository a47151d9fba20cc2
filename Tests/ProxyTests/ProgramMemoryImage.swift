import Testing
@testable import mcexec

/// The program's memory in a test: regions of bytes at addresses. Anything else cannot
/// be read or written, as a page the LWK has not mapped. Records what was read.
final class ProgramMemoryImage: ProgramMemory {
    /// Where `gcc -static` programs live.
    static let base: UInt64 = 0x40_0000
    private(set) var regions: [UInt64: [UInt8]]
    private(set) var reads: [(address: UInt64, count: Int)] = []

    init(_ regions: [UInt64: [UInt8]] = [base: [UInt8](repeating: 0, count: 0x10000)]) {
        self.regions = regions
    }

    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        reads.append((address, count))
        guard let (start, bytes) = region(address, count) else { return nil }
        let from = Int(address - start)
        return Array(bytes[from..<(from + count)])
    }

    func write(_ bytes: [UInt8], to address: UInt64) -> Bool {
        guard let (start, _) = region(address, bytes.count) else { return false }
        let from = Int(address - start)
        regions[start]!.replaceSubrange(from..<(from + bytes.count), with: bytes)
        return true
    }

    /// Little-endian 8-byte words at `address`.
    func storeWords(_ words: [UInt64], at address: UInt64) {
        var bytes: [UInt8] = []
        for word in words { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(i)))) } }
        #expect(write(bytes, to: address))
    }

    func storeBytes(_ bytes: [UInt8], at address: UInt64) {
        #expect(write(bytes, to: address))
    }

    func word(at address: UInt64, bytes count: Int = 8) -> UInt64 {
        read(address, count: count)!.field(at: 0, size: count)
    }

    private func region(_ address: UInt64, _ count: Int) -> (UInt64, [UInt8])? {
        regions.first { address >= $0.key && address - $0.key + UInt64(count) <= UInt64($0.value.count) }.map { ($0.key, $0.value) }
    }
}
