import CMcosABI
import Foundation
import Testing
@testable import Kernel

@Suite struct SyscallTests {
    @Test func theLocalSetIsLocalAndTheRestOffloaded() {
        let local = ["brk", "mmap", "munmap", "mprotect", "madvise", "exit", "exit_group", "getpid", "gettid", "arch_prctl",
                     "set_tid_address", "set_robust_list", "clock_gettime", "gettimeofday", "sched_yield",
                     "rt_sigaction", "rt_sigprocmask", "clone", "clone3", "fork", "vfork", "execve", "execveat",
                     "mremap", "rseq"]
        #expect(Set(Syscall.local.map(\.name)) == Set(local))
        #expect(Syscall.local.count == local.count)
        for call in Syscall.local { #expect(Syscall.route(UInt64(call.rawValue)) == .local) }
        for offloaded: Syscall in [.read, .write, .open, .close, .stat, .fstat, .ioctl, .uname, .openat, .newfstatat, .getrandom] {
            #expect(Syscall.route(UInt64(offloaded.rawValue)) == .offloaded, "\(offloaded.name)")
        }
        #expect(Syscall.route(9999) == .offloaded && Syscall.route(1 << 32 | 39) == .offloaded, "unknown numbers go to Linux")
        #expect(Syscall.name(1) == "write" && Syscall.name(63) == "uname" && Syscall.name(231) == "exit_group")
        #expect(Syscall.name(9999) == "syscall_9999")
    }

    @Test func madviseAdviceIsAHintADiscardOrRefused() {
        for hint: UInt64 in [0, 1, 2, 3, 10, 14, 15, 16, 17, 20, 21, 22, 23, 25] { #expect(UserSpace.Advice(hint) == .hint, "\(hint)") }
        for discard: UInt64 in [4, 8, 24] { #expect(UserSpace.Advice(discard) == .discard, "\(discard)") }
        // MADV_REMOVE needs shared memory, HWPOISON a capability; 5-7 were never used
        for refused: UInt64 in [5, 6, 7, 9, 26, 100, 101, 1 << 32] { #expect(UserSpace.Advice(refused) == nil, "\(refused)") }
    }

    /// The packets of mcos_abi.h's "Programs on the LWK", byte for byte through a ring.
    @Test func requestAndReplyTravelAsOnePacket() throws {
        let request = SyscallRequest(number: 1, arguments: (1, 0x10_0000_0000, 12, 0, 0, 0))
        let packet = request.packet
        #expect(packet.type == MCOS_IKC_SYSCALL && packet.seq == 1)
        #expect(SyscallRequest(packet: packet) == request)
        #expect(SyscallReply(packet: packet) == nil)

        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 4))
        let ring = IKCRing(memory: memory)
        ring.format(slots: 4)
        #expect(ring.send(packet))
        let slot = memory.load(mcos_ikc_packet.self, at: MemoryLayout<mcos_ikc_ring>.size)
        #expect(slot.type == MCOS_IKC_SYSCALL.rawValue && slot.seq == 1, "the number travels in seq")
        #expect(slot.args.1 == 0x10_0000_0000)
        let received = try #require(ring.receive())
        #expect(SyscallRequest(packet: received) == request)

        let reply = try #require(SyscallReply(packet: IKCPacket(type: MCOS_IKC_SYSCALL_REPLY, args: (UInt64(bitPattern: -14), 0, 0, 0, 0, 0))))
        #expect(reply.result == -14 && reply.isError)
        #expect(reply.packet.type == MCOS_IKC_SYSCALL_REPLY)
        #expect(!SyscallReply(result: 12).isError)
        #expect(!SyscallReply(result: -8192).isError, "a high mmap address is not an error")
    }

    @Test func processRequestsDecode() {
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_CREATE, seq: 1, args: (42, 5, 6, 0, 0, 0))) == .create(pid: 42, realtime: 5, monotonic: 6, numaMask: 0))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_CREATE, seq: 1, args: (42, 5, 6, 0b10, 0, 0))) == .create(pid: 42, realtime: 5, monotonic: 6, numaMask: 2))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_MAP, seq: 2, args: (0x40_0000, 0x2000, 5, 0, 0, 0)))
            == .map(start: 0x40_0000, bytes: 0x2000, protection: 5))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_START, args: (0x40_1000, 0xfff_ffff_e000, 0x60_0000, 0, 0, 0)))
            == .start(entry: 0x40_1000, stack: 0xfff_ffff_e000, programBreak: 0x60_0000))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_KILL, args: (9, 1, 0, 0, 0, 0))) == .kill(signal: 9, proxyGone: true))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_KILL, args: (15, 0, 0, 0, 0, 0))) == .kill(signal: 15, proxyGone: false))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PING)) == nil)

        let reply = procReplyPacket(seq: 7, result: -16, root: 0x1234_5000)
        #expect(reply.type == MCOS_IKC_PROC_REPLY && reply.seq == 7 && Int64(bitPattern: reply.args.0) == -16 && reply.args.1 == 0x1234_5000)
        let invalidate = invalidatePacket(seq: 3, start: 0x1000_0000, bytes: 0x3000)
        #expect(invalidate.type == MCOS_IKC_INVALIDATE && invalidate.seq == 3 && invalidate.args.0 == 0x1000_0000 && invalidate.args.1 == 0x3000)
        let exit = procExitPacket(status: 0x2a00, faultAddress: 0, faultIP: 0)
        #expect(exit.type == MCOS_IKC_PROC_EXIT && exit.args.0 == 0x2a00)
    }
}
