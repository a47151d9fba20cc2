import Testing
@testable import Kernel

/// process_vm_readv/writev's checks and its walk of two iovec lists.
@Suite struct CrossMemoryTests {
    static let base: UInt64 = 0x10_0000

    /// iovecs at `base`: each (address, length) as 16 bytes.
    static func memory(_ entries: [(UInt64, UInt64)]) -> MappedMemory {
        var memory = MappedMemory(base: base, size: max(entries.count, 1) * 16)
        for (index, (address, length)) in entries.enumerated() {
            var bytes: [UInt8] = []
            for word in [address, length] { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
            _ = memory.write(bytes, at: base + UInt64(index) * 16)
        }
        return memory
    }

    @Test func linuxsChecks() {
        #expect(throws: Never.self) { try CrossMemory.check(flags: 0, localCount: 1024, remoteCount: 0) }
        #expect(throws: Errno.inval) { try CrossMemory.check(flags: 1, localCount: 1, remoteCount: 1) }
        #expect(throws: Errno.inval) { try CrossMemory.check(flags: 0, localCount: 1025, remoteCount: 1) }
        #expect(throws: Errno.inval) { try CrossMemory.check(flags: 0, localCount: 1, remoteCount: 1 << 32) }
    }

    @Test func totals() throws {
        let memory = Self.memory([(0x1000, 100), (0x5000, 4096), (0, 0)])
        #expect(try CrossMemory.total(at: Self.base, count: 3, memory: memory) == 4196)
        #expect(try CrossMemory.total(at: Self.base, count: 0, memory: memory) == 0)
        #expect(throws: Errno.fault) { try CrossMemory.total(at: Self.base, count: 4, memory: memory) }
        #expect(throws: Errno.fault) { try CrossMemory.total(at: 0, count: 1, memory: memory) }
        #expect(throws: Errno.inval) { try CrossMemory.total(at: Self.base, count: 1, memory: Self.memory([(0, 1 << 63)])) }
        let huge = Self.memory([(0, 0x7fff_ffff), (0, 0x7fff_ffff)])
        #expect(try CrossMemory.total(at: Self.base, count: 2, memory: huge) == CrossMemory.largestTransfer, "MAX_RW_COUNT at most")
    }

    @Test func stepsStayWithinAPageOnBothSides() {
        let localMemory = Self.memory([(0x1ff0, 0x30), (0x9000, 0x10)])
        var local = CrossMemory.Cursor(array: Self.base, count: 2)
        var remote = CrossMemory.Cursor(array: Self.base, count: 1)
        let remoteMemory = Self.memory([(0x7ffc, 0x40)])
        var steps: [(UInt64, UInt64, UInt64)] = []
        while local.settle(memory: localMemory) && remote.settle(memory: remoteMemory) {
            let bytes = CrossMemory.step(local: local, remote: remote, room: 1000)
            steps.append((local.address, remote.address, bytes))
            local.advance(by: bytes)
            remote.advance(by: bytes)
        }
        #expect(steps.map { $0.2 } == [4, 12, 0x20, 0x10], "the remote page ends, then the local one, then its entry")
        #expect(steps.map { $0.0 } == [0x1ff0, 0x1ff4, 0x2000, 0x9000])
        #expect(steps.map { $0.1 } == [0x7ffc, 0x8000, 0x800c, 0x802c])
        #expect(CrossMemory.step(local: local, remote: remote, room: 0) == 0)
    }
}
