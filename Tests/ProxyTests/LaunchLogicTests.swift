import CMcosABI
import Kernel
import Testing
@testable import mcexec

/// The pure rules mcexec follows once the program runs: which offloaded calls it
/// performs, where the stack goes, how an end becomes an exit status.
@Suite struct LaunchLogicTests {
    let policy = SyscallPolicy(ownDescriptors: [1010], pid: 4242)

    func decide(_ call: Syscall, _ args: UInt64...) -> SyscallAction {
        policy.decide(number: call.rawValue, arguments: args + Array(repeating: 0, count: 6 - args.count), memory: ProgramMemoryImage())
    }

    @Test func ordinaryCallsArePerformedAsPassed() {
        let buffer = ProgramMemoryImage.base
        #expect(decide(.write, 1, buffer, 5) == .perform(PreparedCall(number: Syscall.write.rawValue, arguments: [1, buffer, 5, 0, 0, 0])))
        #expect(decide(.read, 0, buffer, 5).isPerformed)
        #expect(decide(.close, 3).isPerformed)
        #expect(decide(.dup2, 3, 1).isPerformed)
        #expect(decide(.fcntl, 4, 1).isPerformed)
        #expect(decide(.stat, buffer, buffer + 0x1000).isPerformed)
        #expect(decide(.kill, 1, 15).isPerformed)  // someone else
    }

    @Test func mcexecsOwnDescriptorIsGuarded() {
        for call: Syscall in [.close, .fcntl, .read, .write, .ioctl, .dup, .lseek, .fstat] {
            #expect(decide(call, 1010).refusal == .badf, "\(call.name)")
        }
        #expect(decide(.dup2, 1, 1010).refusal == .badf)
        #expect(decide(.dup2, 1010, 5).refusal == .badf)
        #expect(decide(.dup3, 0, 1010, 0).refusal == .badf)
        #expect(decide(.epollCtl, 5, 1, 1010).refusal == .badf)
        // Upper 32 bits are ignored by the kernel for an int fd; so here.
        #expect(decide(.close, 0xffff_ffff_0000_0000 | 1010).refusal == .badf)
        // Before the command is looked at, as Linux checks the descriptor first.
        #expect(decide(.ioctl, 1010, 0xdead).refusal == .badf)
    }

    @Test func closeRangeSkipsOwnDescriptors() {
        #expect(decide(.closeRange, 3, 100, 0).isPerformed)
        #expect(decide(.closeRange, 3, UInt64(UInt32.max), 0) == .closeRanges([3...1009, 1011...UInt32.max], flags: 0))
        #expect(decide(.closeRange, 1010, 1010, 4) == .closeRanges([], flags: 4))
        #expect(decide(.closeRange, 1010, 2000, 0) == .closeRanges([1011...2000], flags: 0))
        #expect(decide(.closeRange, 10, 3, 0).refusal == .inval)
        let edge = SyscallPolicy(ownDescriptors: [5, Int32.max], pid: 1)
        #expect(edge.closeRange(first: 5, last: UInt32(Int32.max), flags: 0) == .closeRanges([6...(UInt32(Int32.max) - 1)], flags: 0))
    }

    @Test func callsOnMcexecsOwnProcessAreNotPerformed() {
        for call: Syscall in [.mmap, .munmap, .mprotect, .brk, .exit, .exitGroup, .execve, .clone, .fork, .archPrctl] {
            #expect(decide(call, 0x1000, 4096) == .refuse(.noSys, .call(.servedByLWK)), "\(call.name)")
        }
        #expect(decide(.rtSigaction, 2, 0x1000, 0, 8) == .answer(0))
        #expect(decide(.rtSigprocmask, 0, 0x1000, 0, 8) == .answer(0))
    }

    @Test func signalsToItselfEndTheProgram() {
        #expect(decide(.tgkill, 4242, 4242, 6) == .killProgram(signal: 6))
        #expect(decide(.tgkill, 4242, 4243, 10) != .killProgram(signal: 10), "another thread: Linux sends it to that thread's proxy thread")
        #expect(decide(.kill, 4242, 9) == .killProgram(signal: 9))
        #expect(decide(.kill, 0, 15) == .killProgram(signal: 15))
        #expect(decide(.tkill, 4242, 11) == .killProgram(signal: 11))
        #expect(decide(.kill, 4242, 0) == .answer(0))
        #expect(decide(.kill, 4242, 99).refusal == .inval)
    }

    @Test func aStopSignalToItsOwnPidStopsMcexec() {
        #expect(decide(.kill, 4242, 20) == .stopProxy(signal: 20), "SIGTSTP: the LWK stops the program")
        #expect(decide(.kill, 4242, 19) == .stopProxy(signal: 19))
        #expect(decide(.kill, 0, 20) == .killProgram(signal: 20), "kill(0): the program's own, its action decides")
        #expect(decide(.kill, 4242, 18) == .killProgram(signal: 18), "SIGCONT does not stop")
    }

    @Test func stackSizeAndPlacement() {
        #expect(ProgramLayout.stackBytes(rlimit: 8 << 20) == 8 << 20)
        #expect(ProgramLayout.stackBytes(rlimit: nil) == 8 << 20)  // unlimited
        #expect(ProgramLayout.stackBytes(rlimit: 1 << 40) == 256 << 20)
        #expect(ProgramLayout.stackBytes(rlimit: 4096) == 128 << 10)
        #expect(ProgramLayout.stackBytes(rlimit: 8 << 20, requested: 1 << 20) == 1 << 20)
        #expect(ProgramLayout.stackBytes(rlimit: (1 << 20) + 1) == (1 << 20) + 4096)
        let range = ProgramLayout.stackRange(bytes: 8 << 20)
        #expect(range.upperBound == UInt64(MCOS_USER_STACK_TOP))
        #expect(range.lowerBound == UInt64(MCOS_USER_STACK_TOP) - (8 << 20))
        #expect(range.lowerBound > UInt64(MCOS_USER_MMAP_TOP) && range.upperBound <= UInt64(MCOS_USER_END))
        #expect(range.upperBound % 16 == 0)  // InitialStack wants an aligned top
        #expect(ProgramLayout.argumentLimit(stackBytes: 8 << 20) == 2 << 20)
    }

    @Test func descriptorFloor() {
        #expect(ProgramLayout.descriptorFloor(nofileSoftLimit: 1024) == 1008)
        #expect(ProgramLayout.descriptorFloor(nofileSoftLimit: 1 << 20) == 4080)
        #expect(ProgramLayout.descriptorFloor(nofileSoftLimit: 32) == 10)
    }

    @Test func waitStatusBecomesTheProgramsEnd() {
        #expect(ProgramEnd(waitStatus: 42 << 8) == .exited(42))
        #expect(ProgramEnd(waitStatus: 0) == .exited(0))
        #expect(ProgramEnd(waitStatus: 11) == .signaled(11, coreDumped: false))
        #expect(ProgramEnd(waitStatus: 0x80 | 6) == .signaled(6, coreDumped: true))
        #expect(ProgramEnd(waitStatus: 11).shellStatus == 139)
        #expect(ProgramEnd(waitStatus: 2).shellStatus == 130)
        #expect(ProgramEnd(waitStatus: 300 << 8).shellStatus == 300 & 0xff)
    }

    @Test func regionsDoNotOverlap() {
        var segments: [ProgramLayout.Segment] = [(0x400000, 0x402000, 5), (0x401000, 0x404000, 3), (0x404000, 0x405000, 1)]
        let regions = ProgramLayout.regions(segments)
        #expect(regions.map(\.start) == [0x400000, 0x402000, 0x404000])
        #expect(regions.map(\.bytes) == [0x2000, 0x2000, 0x1000])
        #expect(regions.map(\.protection) == [5, 3, 1])
        #expect(ProgramLayout.refusal(segments) == nil)
        segments = [(0x1000, 0x2000, 1)]
        #expect(ProgramLayout.refusal(segments) != nil)  // below MCOS_USER_START
        segments = [(UInt64(MCOS_USER_MMAP_TOP) - 0x1000, UInt64(MCOS_USER_MMAP_TOP) + 0x1000, 1)]
        #expect(ProgramLayout.refusal(segments) != nil)  // into the mmap area / stack
    }
}
