import Glibc
import Kernel
import Testing
@testable import mcexec

/// Prepared calls performed for real, on memory mapped where a program's lies.
@Suite struct OffloadedCallTests {
    /// The program's writes to its memory, counted.
    final class CountedMemory: ProgramMemory {
        let memory: PipedProgramMemory
        var writes = 0

        init(_ memory: PipedProgramMemory) { self.memory = memory }

        func read(_ address: UInt64, count: Int) -> [UInt8]? { memory.read(address, count: count) }

        func write(_ bytes: [UInt8], to address: UInt64) -> Bool {
            writes += 1
            return memory.write(bytes, to: address)
        }
    }

    @Test func onlyTheMessagesLinuxGotToAreWrittenBack() throws {
        let page = 4096
        let hint = UnsafeMutableRawPointer(bitPattern: UInt(ProgramMemoryImage.base))
        let mapped = mmap(hint, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        defer { munmap(mapped, page) }
        let start = try #require(mapped == hint ? mapped : nil, "a page where a program's memory lies")
        // Three messages of one 64-byte buffer each; msg_len holds a mark.
        let vector = 0, iovecs = 0x200, buffers = 0x400
        for entry in 0..<3 {
            let header = vector + entry * 64, iovec = iovecs + entry * 16
            start.storeBytes(of: UInt64(UInt(bitPattern: start + iovec)), toByteOffset: header + 16, as: UInt64.self)
            start.storeBytes(of: 1, toByteOffset: header + 24, as: UInt64.self)
            start.storeBytes(of: 0xaaaa, toByteOffset: header + 56, as: UInt32.self)
            start.storeBytes(of: UInt64(UInt(bitPattern: start + buffers + entry * 64)), toByteOffset: iovec, as: UInt64.self)
            start.storeBytes(of: 64, toByteOffset: iovec + 8, as: UInt64.self)
        }
        var ends: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0, &ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        #expect(Glibc.write(ends[1], "hello", 5) == 5)

        let memory = try #require(PipedProgramMemory(descriptorFloor: 100))
        let policy = SyscallPolicy(ownDescriptors: memory.descriptors, pid: getpid())
        let dontWait: UInt64 = 0x40  // MSG_DONTWAIT
        let address = UInt64(UInt(bitPattern: start))
        guard case .perform(let call) = policy.decide(
            number: Syscall.recvmmsg.rawValue, arguments: [UInt64(ends[0]), address, 3, dontWait, 0, 0], memory: memory)
        else {
            Issue.record("recvmmsg refused")
            return
        }
        // Meanwhile a thread of the program uses a message Linux will not get to.
        start.storeBytes(of: 0xbbbb, toByteOffset: vector + 2 * 64 + 56, as: UInt32.self)
        let counted = CountedMemory(memory)
        #expect(OffloadedCall.perform(call, memory: counted) == 1, "one datagram waited")
        #expect(start.load(fromByteOffset: vector + 56, as: UInt32.self) == 5, "msg_len of the first")
        #expect(String(decoding: UnsafeRawBufferPointer(start: start + buffers, count: 5), as: UTF8.self) == "hello")
        #expect(start.load(fromByteOffset: vector + 64 + 56, as: UInt32.self) == 0xaaaa)
        #expect(start.load(fromByteOffset: vector + 2 * 64 + 56, as: UInt32.self) == 0xbbbb, "not overwritten with the copy")
        #expect(counted.writes == 3, "msg_namelen, msg_controllen and msg_flags, msg_len: of the first message only")
    }
}
