import Glibc
import Testing
@testable import mcexec

/// mcexec touches the program's memory through a pipe: what Linux cannot reach is an
/// error, never a fault in mcexec, whatever the pipe holds, and the pipe is left empty.
@Suite struct PipedProgramMemoryTests {
    static let page = 4096
    /// F_SETPIPE_SZ.
    static let setPipeSize: Int32 = 1031

    /// Fresh memory of `pages` pages, of which the last is unmapped again.
    func region(pages: Int) throws -> UInt64 {
        let start = try #require(mmap(nil, pages * Self.page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(start != MAP_FAILED)
        munmap(start + (pages - 1) * Self.page, Self.page)
        return UInt64(UInt(bitPattern: start))
    }

    func release(_ start: UInt64, pages: Int) {
        munmap(UnsafeMutableRawPointer(bitPattern: UInt(start)), (pages - 1) * Self.page)
    }

    /// More than one round of the pipe, written and read back.
    func roundTrip(_ memory: PipedProgramMemory, at start: UInt64) {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(memory.write(bytes, to: start))
        #expect(memory.read(start, count: bytes.count) == bytes)
    }

    @Test func movesBytesBothWays() throws {
        let memory = try #require(PipedProgramMemory(descriptorFloor: 100))
        #expect(memory.descriptors.allSatisfy { $0 >= 100 }, "out of the program's way")
        let start = try region(pages: 26)
        defer { release(start, pages: 26) }
        roundTrip(memory, at: start)
    }

    @Test func aSmallPipeIsNoError() throws {
        let memory = try #require(PipedProgramMemory(descriptorFloor: 100))
        #expect(fcntl(memory.writeEnd, Self.setPipeSize, Int32(Self.page)) >= 0)
        let start = try region(pages: 26)
        defer { release(start, pages: 26) }
        roundTrip(memory, at: start)
    }

    @Test func whatLinuxCannotReachFails() throws {
        let memory = try #require(PipedProgramMemory(descriptorFloor: 100))
        let start = try region(pages: 3)
        defer { release(start, pages: 3) }
        let end = start + UInt64(2 * Self.page)  // the unmapped page
        #expect(memory.read(end - 16, count: 32) == nil, "the last bytes are unmapped")
        #expect(memory.write([UInt8](repeating: 1, count: 32), to: end - 16) == false)
        #expect(memory.read(0, count: 8) == nil)
        #expect(memory.write([1], to: 0) == false)
        // Nothing was left in the pipe: the next reads see the program's bytes.
        #expect(memory.write([1, 2, 3], to: start))
        #expect(memory.read(start, count: 3) == [1, 2, 3])
        #expect(memory.read(end - 16, count: 16) != nil)
    }
}
