@testable import Kernel

/// A program's memory for the kernel's thread logic: 4 KiB pages mapped read-only or
/// writable, each with the physical address a shared futex is keyed by.
final class WordMemory: UserWords {
    struct Page {
        var writable: Bool
        var physical: UInt64
    }

    var pages: [UInt64: Page] = [:]
    var bytes: [UInt64: UInt8] = [:]
    /// Each update32, in order (address, old, new), to see what the kernel changed.
    var updates: [(UInt64, UInt32, UInt32)] = []

    /// Maps `count` pages from `start` (page-aligned), at physical `physical` on (by
    /// default the virtual address plus 1 TiB, so that the two never look alike).
    func map(_ start: UInt64, pages count: Int = 1, writable: Bool = true, physical: UInt64? = nil) {
        for index in 0..<UInt64(count) {
            let virtual = start + index * 4096
            pages[virtual] = Page(writable: writable, physical: (physical ?? start + (1 << 40)) + index * 4096)
        }
    }

    func page(_ address: UInt64) -> Page? { pages[address & ~4095] }

    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        var result: [UInt8] = []
        for index in 0..<UInt64(count) {
            guard page(address + index) != nil else { return nil }
            result.append(bytes[address + index] ?? 0)
        }
        return result
    }

    func update32(_ address: UInt64, _ change: (UInt32) -> UInt32) -> UInt32? {
        guard page(address)?.writable == true, let old = load32(address) else { return nil }
        let new = change(old)
        updates.append((address, old, new))
        set32(address, new)
        return old
    }

    func store32(_ address: UInt64, _ value: UInt32) -> Bool {
        guard page(address)?.writable == true else { return false }
        set32(address, value)
        return true
    }

    func physical(_ address: UInt64) -> UInt64? { page(address).map { $0.physical + address % 4096 } }

    // Setting up and looking, whatever the protections.

    func set32(_ address: UInt64, _ value: UInt32) {
        for index in 0..<UInt64(4) { bytes[address + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    func set64(_ address: UInt64, _ value: UInt64) {
        for index in 0..<UInt64(8) { bytes[address + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    func setBytes(_ address: UInt64, _ data: [UInt8]) {
        for (index, byte) in data.enumerated() { bytes[address + UInt64(index)] = byte }
    }

    func get32(_ address: UInt64) -> UInt32 {
        (0..<UInt64(4)).reduce(0) { $0 | UInt32(bytes[address + $1] ?? 0) << (8 * $1) }
    }
}
