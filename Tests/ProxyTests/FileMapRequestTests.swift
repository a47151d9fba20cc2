import CMcosABI
import Foundation
import Glibc
import Kernel
import TestSupport
import Testing
@testable import mcexec

/// The LWK's file-mapping requests served for real: the facts of every kind of
/// descriptor, and fills that write exactly the bytes read into exactly the range asked.
@Suite struct FileMapRequestTests {
    static let directory = Scratch.directory("filemap")
    static let size = 10_000
    /// Where these tests map "program memory": inside the user range, away from
    /// ProgramMemoryImage.base, which other suites map at the same time.
    static let base: UInt64 = 0x70_0000_0000

    /// A file of `size` known bytes, one per test (they run in parallel).
    static func file(_ name: String) -> String {
        let path = directory.appendingPathComponent(name).path
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func facts(_ fd: Int32, own: Set<Int32> = []) throws -> FileMapCheck.Facts {
        try FileMapCheck.Facts(answer: FileMapRequests.facts(descriptor: UInt64(UInt32(bitPattern: fd)), ownDescriptors: own))
    }

    @Test func factsOfEachKindOfDescriptor() throws {
        let path = Self.file("facts")
        let readOnly = open(path, O_RDONLY), writeOnly = open(path, O_WRONLY), readWrite = open(path, O_RDWR)
        let directory = open(Self.directory.path, O_RDONLY), onlyPath = open(path, FileMapRequests.openPath)
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { for fd in [readOnly, writeOnly, readWrite, directory, onlyPath] + pipeEnds { close(fd) } }

        #expect(try facts(readOnly) == .init(fileType: 8, readable: true, writable: false))
        #expect(try facts(writeOnly) == .init(fileType: 8, readable: false, writable: true))
        #expect(try facts(readWrite) == .init(fileType: 8, readable: true, writable: true))
        #expect(try facts(directory).fileType == 4)
        #expect(try facts(pipeEnds[0]).fileType == 1)
        #expect(throws: Errno.badf) { try facts(onlyPath) }
        #expect(throws: Errno.badf) { try facts(readOnly, own: [readOnly]) }
        #expect(throws: Errno.badf) { try facts(-1) }
        #expect(throws: Errno.badf) { try facts(Int32.max) }
    }

    @Test func fillWritesTheFileAndNothingElse() throws {
        let path = Self.file("fill")
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let bytes = 3 * 4096, base = Self.base
        let hint = UnsafeMutableRawPointer(bitPattern: UInt(base))
        let mapped = mmap(hint, bytes + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        defer { munmap(mapped, bytes + 4096) }
        let start = try #require(mapped == hint ? mapped : nil, "pages where a program's memory lies")
        memset(start, 0xee, bytes + 4096)

        let read = FileMapRequests.fill(descriptor: UInt64(fd), start: base, bytes: UInt64(bytes), offset: 0, ownDescriptors: [])
        #expect(read == Int64(Self.size))
        let memory = UnsafeRawBufferPointer(start: start, count: bytes + 4096)
        #expect(Array(memory[0..<Self.size]) == (0..<Self.size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) })
        #expect(memory[Self.size...].allSatisfy { $0 == 0xee }, "nothing written past what was read")

        // from an offset; past the end of the file nothing is read or written
        memset(start, 0xee, bytes + 4096)
        #expect(FileMapRequests.fill(descriptor: UInt64(fd), start: base, bytes: 4096, offset: 8192, ownDescriptors: []) == Int64(Self.size - 8192))
        #expect(FileMapRequests.fill(descriptor: UInt64(fd), start: base + 4096, bytes: 4096, offset: 1 << 40, ownDescriptors: []) == 0)
        #expect(memory[(Self.size - 8192)...].allSatisfy { $0 == 0xee })

        // a file that shrank since the LWK asked for its facts: what is left, no more
        memset(start, 0xee, bytes + 4096)
        let shrinking = open(path, O_RDWR)
        defer { close(shrinking) }
        #expect(ftruncate(shrinking, 100) == 0)
        #expect(FileMapRequests.fill(descriptor: UInt64(fd), start: base, bytes: UInt64(bytes), offset: 0, ownDescriptors: []) == 100)
        #expect(memory[100...].allSatisfy { $0 == 0xee })
    }

    @Test func fillRefusesWhatTheLWKWouldNeverAsk() throws {
        let path = Self.file("refused")
        let fd = open(path, O_RDONLY), writeOnly = open(path, O_WRONLY)
        defer { close(fd); close(writeOnly) }
        let user = UInt64(MCOS_USER_START), end = UInt64(MCOS_USER_END)
        func fill(_ start: UInt64, _ bytes: UInt64, offset: UInt64 = 0, fd descriptor: Int32 = fd, own: Set<Int32> = []) -> Int64 {
            FileMapRequests.fill(descriptor: UInt64(UInt32(bitPattern: descriptor)), start: start, bytes: bytes, offset: offset, ownDescriptors: own)
        }
        #expect(fill(user - 4096, 8192) == -Int64(EINVAL), "below the user range")
        #expect(fill(end - 4096, 8192) == -Int64(EINVAL), "past it")
        #expect(fill(0 &- 4096, 8192) == -Int64(EINVAL), "wrapping")
        #expect(fill(user + 1, 4096) == -Int64(EINVAL) && fill(user, 100) == -Int64(EINVAL) && fill(user, 0) == -Int64(EINVAL))
        #expect(fill(user, 4096, offset: 0 &- 4096) == -Int64(EINVAL), "a negative offset")
        #expect(fill(user, 4096, own: [fd]) == -Int64(EBADF), "mcexec's own descriptor")
        #expect(fill(user, 4096, fd: writeOnly) == -Int64(EBADF), "pread of a write-only descriptor")
        // memory nobody mapped: pread fails with EFAULT, mcexec does not fault
        #expect(fill(Self.base + (1 << 32), 4096) == -Int64(EFAULT))
    }

    /// A share's checks come before any mmap, and what is mapped for the module goes
    /// again whatever PROC_PIN answers (here: no device at all, EBADF).
    @Test func shareChecksItsRequestAndLeavesNothingMapped() throws {
        let path = Self.file("share")
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        func share(_ descriptor: Int32, bytes: UInt64 = 4096, offset: UInt64 = 0, own: Set<Int32> = []) -> Int64 {
            FileMapRequests.share(descriptor: UInt64(UInt32(bitPattern: descriptor)), bytes: bytes, offset: offset, writable: true,
                                  device: -1, ownDescriptors: own)
        }
        #expect(share(fd, own: [fd]) == -Errno.badf)
        #expect(share(-1) == -Errno.badf)
        #expect(share(fd, bytes: 0) == -Errno.inval)
        #expect(share(fd, bytes: 100) == -Errno.inval)
        #expect(share(fd, bytes: UInt64(MCOS_PIN_LIST_FRAMES + 1) * 4096) == -Errno.inval)
        #expect(share(fd, offset: 100) == -Errno.inval)
        let mappingsBefore = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).components(separatedBy: path).count
        #expect(share(fd) == -Errno.badf, "the mapping was made, the PROC_PIN to no device failed")
        let mappingsAfter = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).components(separatedBy: path).count
        #expect(mappingsAfter == mappingsBefore)
    }
}
