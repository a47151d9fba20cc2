import CMcosABI
import Foundation
import Testing
@testable import Kernel

@Suite struct SyscallTests {
    @Test func theLocalSetIsLocalAndTheRestOffloaded() {
        let local = ["brk", "mmap", "munmap", "mprotect", "madvise", "exit", "exit_group", "getpid", "gettid", "arch_prctl",
                     "set_tid_address", "set_robust_list", "clock_gettime", "gettimeofday", "sched_yield",
                     "rt_sigaction", "rt_sigprocmask", "clone", "clone3", "fork", "vfork", "execve", "execveat",
                     "mremap", "msync", "rseq", "rt_sigreturn", "sigaltstack", "rt_sigpending", "rt_sigsuspend", "pause",
                     "rt_sigtimedwait", "kill", "tkill", "tgkill", "futex", "futex_waitv", "sched_getaffinity",
                     "sched_setaffinity", "get_robust_list", "getcpu", "shmat", "shmdt", "process_vm_readv", "process_vm_writev"]
        #expect(Set(Syscall.local.map(\.name)) == Set(local))
        #expect(Syscall.local.count == local.count)
        for call in Syscall.local { #expect(Syscall.route(UInt64(call.rawValue)) == .local(call)) }
        for offloaded: Syscall in [.read, .write, .open, .close, .stat, .fstat, .ioctl, .uname, .openat, .newfstatat, .getrandom] {
            #expect(Syscall.route(UInt64(offloaded.rawValue)) == .offloaded(number: offloaded.rawValue), "\(offloaded.name)")
        }
        #expect(Syscall.route(9999) == .offloaded(number: 9999), "unknown numbers go to Linux")
        #expect(Syscall.name(1) == "write" && Syscall.name(63) == "uname" && Syscall.name(231) == "exit_group")
        #expect(Syscall.name(9999) == "syscall_9999")
    }

    /// Linux dispatches on the low 32 bits of rax: mmap + 2^32 is mmap, served here,
    /// never sent to the proxy; what is offloaded is the 32-bit number.
    @Test func theNumberIsTheLow32Bits() {
        #expect(Syscall.route(1 << 32 | 9) == .local(.mmap))
        #expect(Syscall.route(0xdead_beef_0000_0000 | 231) == .local(.exitGroup))
        #expect(Syscall.route(7 << 32 | 1) == .offloaded(number: 1))
        #expect(Syscall.route(1 << 32 | 9999) == .offloaded(number: 9999))
        #expect(Syscall(number: 1 << 32 | 39) == .getpid)
        #expect(Syscall.name(1 << 32 | 39) == "getpid" && Syscall.name(1 << 32 | 9999) == "syscall_9999")
    }

    /// x32 numbers (bit 30) are refused here, as by a kernel without x32.
    @Test func x32NumbersAreENOSYS() {
        #expect(Syscall.route(0x4000_0000 | 39) == .x32)
        #expect(Syscall.route(0x4000_0000 | 9) == .x32)
        #expect(Syscall.route(1 << 32 | 0x4000_0001) == .x32)
        #expect(Syscall.route(0xffff_ffff) == .x32, "-1 has bit 30 too: ENOSYS either way")
        #expect(Syscall.route(0x8000_0027) == .offloaded(number: 0x8000_0027), "Linux answers ENOSYS")
    }

    @Test func madviseAdviceIsAHintADiscardOrRefused() {
        for hint: UInt64 in [0, 1, 2, 3, 10, 14, 15, 16, 17, 20, 21, 22, 23, 25] { #expect(UserSpace.Advice(hint) == .hint, "\(hint)") }
        for discard: UInt64 in [4, 8, 24] { #expect(UserSpace.Advice(discard) == .discard, "\(discard)") }
        // MADV_REMOVE needs shared memory, HWPOISON a capability; 5-7 were never used
        for refused: UInt64 in [5, 6, 7, 9, 26, 100, 101, 1 << 32 | 5, 0xffff_ffff] { #expect(UserSpace.Advice(refused) == nil, "\(refused)") }
        // the advice is an int: the low 32 bits, as Linux reads it
        #expect(UserSpace.Advice(1 << 32) == .hint && UserSpace.Advice(1 << 32 | 4) == .discard)
    }

    /// The packets of mcos_abi.h's "Programs on the LWK", byte for byte through a ring.
    @Test func requestAndReplyTravelAsOnePacket() throws {
        let request = SyscallRequest(number: 1, arguments: (1, 0x10_0000_0000, 12, 0, 0, 0))
        let packet = request.packet
        #expect(packet.type == MCOS_IKC_SYSCALL && packet.seq == 1)
        #expect(SyscallRequest(packet: packet) == request)
        #expect(SyscallReply(packet: packet) == nil)

        let memory = ByteMemory(count: IKCRing<ByteMemory>.bytes(slots: 4))
        let ring = IKCRing(memory: memory, slots: 4)
        ring.format()
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
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_CREATE, seq: 1, args: (42, 5, 6, 0, 0, 0))) == .create(pid: 42, realtime: 5, monotonic: 6, numaMask: 0, mostCPUs: 0, uid: 0))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_CREATE, seq: 1, args: (42, 5, 6, 0b10, 4, 1000))) == .create(pid: 42, realtime: 5, monotonic: 6, numaMask: 2, mostCPUs: 4, uid: 1000))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_CPUS, seq: 2, args: (0b110, 0, 0, 1, 9, 9)))
                == .cpus(CPUShare(words: (0b110, 0, 0, 1))), "mcexec -n's share: four words, the rest ignored")
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_MAP, seq: 2, args: (0x40_0000, 0x2000, 5, 0, 0, 0)))
            == .map(start: 0x40_0000, bytes: 0x2000, protection: 5))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_START, args: (0x40_1000, 0xfff_ffff_e000, 0x60_0000, 0, 0, 0)))
            == .start(entry: 0x40_1000, stack: 0xfff_ffff_e000, programBreak: 0x60_0000, signals: .none))
        // after execve: SIGKILL and SIGSTOP are never kept blocked or ignored, whatever mcexec says
        let kept = IKCPacket(type: MCOS_IKC_PROC_START, args: (0x40_1000, 0xfff_ffff_e000, 0x60_0000, Signal.bit(12) | Signal.unblockable, Signal.bit(12), Signal.bit(10) | Signal.bit(19)))
        #expect(ProcessRequest(packet: kept) == .start(entry: 0x40_1000, stack: 0xfff_ffff_e000, programBreak: 0x60_0000,
                                                     signals: KeptSignals(blocked: Signal.bit(12), pending: Signal.bit(12), ignored: Signal.bit(10))))
        let exec = procExecPacket(signals: KeptSignals(blocked: 1, pending: 2, ignored: 4))
        #expect(exec.type == MCOS_IKC_PROC_EXIT && exec.args.0 == MCOS_EXIT_EXEC && exec.args.3 == 1 && exec.args.4 == 2 && exec.args.5 == 4)
        let dispositions = (1...64).map { SignalDisposition(handler: $0 == 10 ? SignalDisposition.ignoreHandler : $0 == 15 ? 0x40_1000 : 0) }
        #expect(KeptSignals(blocked: 0, pending: 0, dispositions: dispositions).ignored == Signal.bit(10), "handled SIGTERM goes back to SIG_DFL")
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_FORK, seq: 3, args: (43, 5, 6, 0b1, 2, 0x8000_0000_1234_5679)))
            == .fork(pid: 43, realtime: 5, monotonic: 6, numaMask: 1, parentCPU: 2, token: 0x8000_0000_1234_5679))
        let nobody = SignalSender(code: 0, pid: 0, uid: 0)
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_KILL, args: (9, 1, 0, 0, 0, 0))) == .kill(signal: 9, proxyGone: true, thread: false, sender: nobody))
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_KILL, args: (15, 0, 0, 0, 0, 0))) == .kill(signal: 15, proxyGone: false, thread: false, sender: nobody))
        // tgkill from pid 4242, uid 1000: SI_TKILL (-6) travels as a 32-bit word
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_KILL, args: (10, 2, 0xffff_fffa, 4242, 1000, 0)))
            == .kill(signal: 10, proxyGone: false, thread: true, sender: SignalSender(code: -6, pid: 4242, uid: 1000)))
        // SIGCHLD of a child (pid 4243) that exited with 3 (CLD_EXITED = 1): si_status after si_pid and si_uid
        let child = ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PROC_KILL, args: (17, 0, 1, 4243, 1000, 3)))
        #expect(child == .kill(signal: 17, proxyGone: false, thread: false, sender: SignalSender(code: 1, pid: 4243, uid: 1000, status: 3)))
        let info = SignalSender(code: 1, pid: 4243, uid: 1000, status: 3).info(17)
        #expect(info.code == 1 && info.fields.0 == 4243 | 1000 << 32 && info.fields.1 == 3)
        #expect(SignalSender(code: 0, pid: 7, uid: 8, status: 9).info(17).fields.1 == 0, "kill(SIGCHLD) by a process: no status")
        #expect(ProcessRequest(packet: IKCPacket(type: MCOS_IKC_PING)) == nil)

        let reply = procReplyPacket(seq: 7, result: -16, root: 0x1234_5000)
        #expect(reply.type == MCOS_IKC_PROC_REPLY && reply.seq == 7 && Int64(bitPattern: reply.args.0) == -16 && reply.args.1 == 0x1234_5000)
        let invalidate = invalidatePacket(seq: 3, start: 0x1000_0000, bytes: 0x3000)
        #expect(invalidate.type == MCOS_IKC_INVALIDATE && invalidate.seq == 3 && invalidate.args.0 == 0x1000_0000 && invalidate.args.1 == 0x3000)
        #expect(invalidate.args.2 == 0)
        let end = invalidatePacket(seq: 4, start: UInt64(MCOS_USER_START), bytes: UInt64(MCOS_USER_END - MCOS_USER_START), processEnds: true)
        #expect(end.args.2 == UInt64(MCOS_INVALIDATE_END))
        let exit = procExitPacket(status: 0x2a00, faultAddress: 0, faultIP: 0)
        #expect(exit.type == MCOS_IKC_PROC_EXIT && exit.args.0 == 0x2a00)
    }
}

/// Linux's answers to hostile memory-call arguments, as hostile.c (81-lwk-hostile)
/// compares them in the VM.
@Suite struct MemoryArgumentTests {
    typealias M = MemoryArguments
    static let rw: UInt64 = 3, anonymous = MapFlag.privateMapping | MapFlag.anonymous

    static func error(_ body: () throws(Errno) -> Void) -> Errno? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func munmapRefusesWhatLinuxRefuses() throws {
        #expect(Self.error { () throws(Errno) in _ = try M.munmap(start: 0x1000_0000, length: 0) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.munmap(start: 0x1000_0001, length: 4096) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.munmap(start: 0xffff_8000_0000_0000, length: 4096) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.munmap(start: M.linuxUserEnd, length: 4096) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.munmap(start: 0x1000_0000, length: ~0) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.munmap(start: 0, length: 1 << 47) } == .inval)
        // Linux user space the LWK's range does not have: nothing mapped there, so 0.
        #expect(try M.munmap(start: 0x1000, length: 4096).inUserSpace == nil)
        #expect(try M.munmap(start: MCOS_USER_END, length: 4096).inUserSpace == nil)
        #expect(try M.munmap(start: 0, length: 0x20000).inUserSpace == M.Range(start: MCOS_USER_START, end: 0x20000))
    }

    @Test func mprotectRefusesWhatLinuxRefuses() throws {
        #expect(try M.mprotect(start: 0x1000_0000, length: 0, protection: 1) == nil)
        #expect(Self.error { () throws(Errno) in _ = try M.mprotect(start: 0x1000_0001, length: 4096, protection: 1) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.mprotect(start: 0x1000_0000, length: ~0, protection: 1) } == .noMem)
        #expect(Self.error { () throws(Errno) in _ = try M.mprotect(start: ~0xfff, length: 0x2000, protection: 1) } == .noMem, "wraps")
        #expect(Self.error { () throws(Errno) in _ = try M.mprotect(start: 0x1000_0000, length: 4096, protection: 0x10) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.mprotect(start: 0x1000_0000, length: 4096, protection: 1 << 32 | 1) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.mprotect(start: 0x1000_0000, length: 4096, protection: M.growsDown | M.growsUp) } == .inval)
        #expect(try M.mprotect(start: 0x1000_0000, length: 1, protection: 1 | M.semaphore)?.protection == 1, "PROT_SEM is accepted")
        #expect(try M.mprotect(start: 0x1000_0000, length: 1, protection: 1 | M.growsDown)?.grows == true)
    }

    @Test func madviseRefusesWhatLinuxRefuses() throws {
        #expect(try M.madvise(start: 0x1000_0000, length: 0, advice: 4).1 == nil)
        #expect(Self.error { () throws(Errno) in _ = try M.madvise(start: 0x1000_0000, length: 4096, advice: 0xffff_ffff) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.madvise(start: 0x1000_0001, length: 4096, advice: 4) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.madvise(start: 0x1000_0000, length: ~0, advice: 4) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.madvise(start: 0x1000_0000, length: ~0xfff, advice: 4) } == .inval, "wraps")
        #expect(try M.madvise(start: 0x1000_0000, length: 1, advice: 1 << 32 | 4).0 == .discard, "the advice is an int")
    }

    @Test func mmapRefusesWhatLinuxRefuses() throws {
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0, length: 4096, protection: Self.rw, flags: Self.anonymous, offset: 1) } == .inval)
        // a file's: placed like anonymous memory, its own checks come later (FileMapCheck)
        #expect(try !M.mmap(address: 0, length: 4096, protection: Self.rw, flags: MapFlag.privateMapping, offset: 1 << 20).anonymous)
        #expect(try M.mmap(address: 0, length: 4096, protection: Self.rw, flags: Self.anonymous, offset: 0).anonymous)
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0, length: 4096, protection: Self.rw, flags: MapFlag.privateMapping, offset: 4095) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0, length: 0, protection: Self.rw, flags: Self.anonymous, offset: 0) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0, length: ~0, protection: Self.rw, flags: Self.anonymous, offset: 0) } == .noMem)
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0, length: 1 << 47, protection: Self.rw, flags: Self.anonymous, offset: 0) } == .noMem)
        let fixed = Self.anonymous | MapFlag.fixed
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0xffff_8000_0000_0000, length: 4096, protection: Self.rw, flags: fixed, offset: 0) } == .noMem)
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0x1000_0001, length: 4096, protection: Self.rw, flags: fixed, offset: 0) } == .inval)
        #expect(Self.error { () throws(Errno) in _ = try M.mmap(address: 0x1000, length: 4096, protection: Self.rw, flags: fixed, offset: 0) } == .perm)
        // a hint that cannot be is none: the range starts at 0 and never wraps
        for hint: UInt64 in [0xffff_ffff_ffff_f000, 0x7fff_ffff_f000, 0xffff_8000_0000_0000] {
            let placed = try M.mmap(address: hint, length: 2 * 4096, protection: Self.rw, flags: Self.anonymous, offset: 0)
            #expect(placed.range == MemoryArguments.Range(start: 0, end: 2 * 4096))
        }
        #expect(try M.mmap(address: 0x7fff_ffff_e000, length: 4096, protection: Self.rw, flags: Self.anonymous, offset: 0).range.start == 0x7fff_ffff_e000)
        let noReplace = try M.mmap(address: 0x1000_0000, length: 1, protection: 0xff, flags: Self.anonymous | MapFlag.fixedNoReplace, offset: 0)
        #expect(noReplace.fixed && !noReplace.replace && noReplace.protection == 7 && noReplace.privateMapping)
        #expect(noReplace.range == M.Range(start: 0x1000_0000, end: 0x1000_1000))
        #expect(try !M.mmap(address: 0, length: 1, protection: 1, flags: MapFlag.anonymous, offset: 0).privateMapping)
    }

    @Test func clockIdsAreInts() {
        let clock = ProcessClock(tscKHz: 1_000_000, baseTSC: 0, realtime: 100, monotonic: 50)
        #expect(clock.read(1 << 32 | 1, tsc: 1000) == clock.read(1, tsc: 1000), "the low 32 bits")
        #expect(clock.read(ProcessClock.taiID, tsc: 0) == 100 && clock.read(10, tsc: 0) == nil && clock.read(12, tsc: 0) == nil)
        #expect(clock.read(UInt64(bitPattern: -1), tsc: 0) == nil, "CPU clock of pid 0 with the invalid 'which' 3")
        #expect(clock.read(UInt64(bitPattern: -6), tsc: 0) == 0, "this process's CPU time (clock_getcpuclockid(0))")
        #expect(clock.read(UInt64(bitPattern: -5), tsc: 0) == nil, "a descriptor's clock")
        #expect(clock.read(UInt64(bitPattern: (~Int64(1234) << 3) | 2), tsc: 0, ownPID: 1234) == 0)
        #expect(clock.read(UInt64(bitPattern: (~Int64(1234) << 3) | 2), tsc: 0, ownPID: 99) == nil, "another process")
    }
}
