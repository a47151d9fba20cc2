import Foundation
import Testing
@testable import Kernel

@Suite struct SyscallTests {
    @Test func issueSixLocalSetIsLocalAndTheRestOffloaded() {
        let local = ["brk", "mmap", "munmap", "mprotect", "exit", "exit_group", "getpid", "gettid", "arch_prctl",
                     "set_tid_address", "clock_gettime", "gettimeofday", "sched_yield", "rt_sigaction", "rt_sigprocmask"]
        #expect(Set(Syscall.local.map(Syscall.name)) == Set(local))
        #expect(Syscall.local.count == local.count)
        for number in Syscall.local { #expect(Syscall.route(number) == .local) }
        for offloaded: UInt32 in [0, 1, 2, 3, 4, 5, 16, 63, 257, 262, 318, 435] {
            #expect(Syscall.route(offloaded) == .offloaded, "\(Syscall.name(offloaded))")
        }
        #expect(Syscall.name(1) == "write" && Syscall.name(63) == "uname" && Syscall.name(231) == "exit_group")
        #expect(Syscall.name(9999) == "syscall_9999")
    }

    /// Every name matches the installed kernel header (the table was generated from it).
    @Test func namesMatchTheInstalledHeader() throws {
        let path = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let header = try String(contentsOfFile: path, encoding: .utf8)
        var checked = 0
        for line in header.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let number = UInt32(fields[2]) else { continue }
            let name = String(fields[1].dropFirst("__NR_".count))
            // A newer header may know calls this table does not: those read syscall_<n>.
            if let known = Syscall.knownName(number) { #expect(known == name); checked += 1 }
        }
        #expect(checked > 300)
    }

    @Test func requestAndReplyTravelAsOnePacket() throws {
        let request = SyscallRequest(number: 1, tid: 4242, arguments: (1, 0x7fff_0000, 12, 0, 0, 0))
        let packet = request.packet
        #expect(packet.type == 4 && packet.seq == 1 | 4242 << 32)
        #expect(SyscallRequest(packet: packet) == request)
        #expect(SyscallReply(packet: packet) == nil)

        // Through a real ring, byte for byte as mcos_ikc_packet.
        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 4))
        let ring = IKCRing(memory: memory)
        ring.format(slots: 4)
        #expect(ring.send(packet))
        #expect(memory.load32(64 + 8) == 1, "number at offset 8")
        #expect(memory.load32(64 + 12) == 4242, "tid at offset 12")
        #expect(memory.load64(64 + 24) == 0x7fff_0000, "args[1] at offset 24")
        let received = try #require(ring.receive())
        #expect(SyscallRequest(packet: received) == request)

        let reply = SyscallReply(answering: request, result: -14, interrupted: true)
        let decoded = try #require(SyscallReply(packet: reply.packet))
        #expect(decoded == reply && decoded.isError && decoded.interrupted && decoded.tid == 4242)
        #expect(!SyscallReply(number: 1, tid: 1, result: 12).isError)
        #expect(!SyscallReply(number: 9, tid: 1, result: -8192).isError, "a high mmap address is not an error")
    }
}
