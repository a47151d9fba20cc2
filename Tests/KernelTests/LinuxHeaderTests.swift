import CLinuxSignalABI
import Foundation
import Glibc
import Testing
@testable import Kernel

/// The LWK's names for Linux's numbers, checked against the installed headers: the
/// system call table against asm/unistd_64.h line by line, the rest against Glibc's
/// <errno.h>, <signal.h>, <sys/mman.h> and <time.h>, and the signal and thread ABIs'
/// numbers that only the kernel's headers define against those (LinuxSignalHeaders).
@Suite struct LinuxHeaderTests {
    static let unistd = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

    /// Every `#define __NR_name number` of the header is a case with that name, and every
    /// case is in the header. A header that knows more calls fails with the lines to add
    /// to SyscallTable.swift.
    @Test func syscallTableMatchesTheInstalledHeader() throws {
        let header = try String(contentsOfFile: Self.unistd, encoding: .utf8)
        var defined: [UInt32: String] = [:]
        var missing: [String] = []
        for line in header.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let number = UInt32(fields[2]) else { continue }
            let name = String(fields[1].dropFirst("__NR_".count))
            defined[number] = name
            guard let call = Syscall(rawValue: number) else {
                missing.append("    case \(Self.swiftName(name)) = \(number)  // and .\(Self.swiftName(name)): \"\(name)\"")
                continue
            }
            #expect(call.name == name, "number \(number)")
        }
        #expect(missing.isEmpty, "add to SyscallTable.swift:\n\(missing.joined(separator: "\n"))")
        for call in Syscall.allCases { #expect(defined[call.rawValue] == call.name, "\(call) is not in \(Self.unistd)") }
        #expect(defined.count > 300)
    }

    /// rt_sigaction → rtSigaction.
    static func swiftName(_ linuxName: String) -> String {
        let words = linuxName.split(separator: "_")
        return String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    @Test func errnoValuesAreLinuxs() {
        for errno in Errno.allCases {
            let expected: Int32
            switch errno {
            case .perm: expected = EPERM
            case .noEnt: expected = ENOENT
            case .srch: expected = ESRCH
            case .intr: expected = EINTR
            case .io: expected = EIO
            case .tooBig: expected = E2BIG
            case .noExec: expected = ENOEXEC
            case .badf: expected = EBADF
            case .child: expected = ECHILD
            case .again: expected = EAGAIN
            case .noMem: expected = ENOMEM
            case .acces: expected = EACCES
            case .fault: expected = EFAULT
            case .busy: expected = EBUSY
            case .exist: expected = EEXIST
            case .noDev: expected = ENODEV
            case .notDir: expected = ENOTDIR
            case .inval: expected = EINVAL
            case .noTTY: expected = ENOTTY
            case .nameTooLong: expected = ENAMETOOLONG
            case .noSys: expected = ENOSYS
            case .loop: expected = ELOOP
            case .overflow: expected = EOVERFLOW
            case .libBad: expected = ELIBBAD
            case .noProtoOpt: expected = ENOPROTOOPT
            case .opNotSupp: expected = EOPNOTSUPP
            case .timedOut: expected = ETIMEDOUT
            }
            #expect(errno.rawValue == expected, "\(errno)")
        }
        #expect(-Errno.inval == -22)
    }

    @Test func signalNumbersAreLinuxs() {
        let pairs: [(UInt32, Int32)] = [
            (Signal.hup, SIGHUP), (Signal.int, SIGINT), (Signal.quit, SIGQUIT), (Signal.ill, SIGILL), (Signal.trap, SIGTRAP),
            (Signal.abrt, SIGABRT), (Signal.bus, SIGBUS), (Signal.fpe, SIGFPE), (Signal.kill, SIGKILL), (Signal.usr1, SIGUSR1),
            (Signal.segv, SIGSEGV), (Signal.usr2, SIGUSR2), (Signal.pipe, SIGPIPE), (Signal.alrm, SIGALRM), (Signal.term, SIGTERM),
            (Signal.stkflt, SIGSTKFLT), (Signal.chld, SIGCHLD), (Signal.cont, SIGCONT), (Signal.stop, SIGSTOP), (Signal.tstp, SIGTSTP),
            (Signal.ttin, SIGTTIN), (Signal.ttou, SIGTTOU), (Signal.urg, SIGURG), (Signal.xcpu, SIGXCPU), (Signal.xfsz, SIGXFSZ),
            (Signal.vtalrm, SIGVTALRM), (Signal.prof, SIGPROF), (Signal.winch, SIGWINCH), (Signal.io, SIGIO), (Signal.pwr, SIGPWR),
            (Signal.sys, SIGSYS),
        ]
        for (ours, glibc) in pairs { #expect(Int32(ours) == glibc) }
        #expect(Int32(Signal.count) == __libc_current_sigrtmax(), "SIGRTMAX")
        #expect(Signal.bit(Signal.kill) == 1 << 8)
    }

    @Test func memoryAndClockNumbersAreLinuxs() {
        #expect(MapFlag.shared == UInt64(MAP_SHARED) && MapFlag.privateMapping == UInt64(MAP_PRIVATE))
        #expect(MapFlag.fixed == UInt64(MAP_FIXED) && MapFlag.anonymous == UInt64(MAP_ANONYMOUS))
        #expect(MapFlag.fixedNoReplace == UInt64(MAP_FIXED_NOREPLACE) && MapFlag.type == UInt64(MAP_TYPE))
        #expect(MapFlag.sharedValidate == UInt64(MAP_SHARED_VALIDATE))
        #expect(MadviseAdvice.normal == UInt64(MADV_NORMAL) && MadviseAdvice.willNeed == UInt64(MADV_WILLNEED))
        #expect(MadviseAdvice.dontNeed == UInt64(MADV_DONTNEED) && MadviseAdvice.free == UInt64(MADV_FREE))
        #expect(MadviseAdvice.remove == UInt64(MADV_REMOVE) && MadviseAdvice.dontFork == UInt64(MADV_DONTFORK))
        #expect(MadviseAdvice.populateWrite == UInt64(MADV_POPULATE_WRITE))
        #expect(MadviseAdvice.dontNeedLocked == UInt64(MADV_DONTNEED_LOCKED))
        #expect(SignalMaskChange.block == UInt64(SIG_BLOCK) && SignalMaskChange.unblock == UInt64(SIG_UNBLOCK))
        #expect(SignalMaskChange.set == UInt64(SIG_SETMASK))
        #expect(ProcessClock.realtimeID == UInt64(CLOCK_REALTIME) && ProcessClock.monotonicID == UInt64(CLOCK_MONOTONIC))
        #expect(ProcessClock.processCPUTimeID == UInt64(CLOCK_PROCESS_CPUTIME_ID))
        #expect(ProcessClock.threadCPUTimeID == UInt64(CLOCK_THREAD_CPUTIME_ID))
        #expect(ProcessClock.monotonicRawID == UInt64(CLOCK_MONOTONIC_RAW))
        #expect(ProcessClock.realtimeCoarseID == UInt64(CLOCK_REALTIME_COARSE))
        #expect(ProcessClock.monotonicCoarseID == UInt64(CLOCK_MONOTONIC_COARSE) && ProcessClock.boottimeID == UInt64(CLOCK_BOOTTIME))
    }

    @Test func signalActionAndStackFlagsAreLinuxs() {
        let kernel = LinuxSignalHeaders.kernel
        let flags: [(UInt64, String)] = [
            (SignalActionFlag.noChildStop, "SA_NOCLDSTOP"), (SignalActionFlag.noChildWait, "SA_NOCLDWAIT"),
            (SignalActionFlag.siginfo, "SA_SIGINFO"), (SignalActionFlag.unsupported, "SA_UNSUPPORTED"),
            (SignalActionFlag.exposeTagBits, "SA_EXPOSE_TAGBITS"), (SignalActionFlag.restorer, "SA_RESTORER"),
            (SignalActionFlag.onStack, "SA_ONSTACK"), (SignalActionFlag.restart, "SA_RESTART"),
            (SignalActionFlag.noDefer, "SA_NODEFER"), (SignalActionFlag.resetHandler, "SA_RESETHAND"),
        ]
        for (ours, name) in flags { #expect(kernel[name] == Int64(ours), "\(name)") }
        #expect(Int32(SignalActionFlag.siginfo) == SA_SIGINFO && Int32(SignalActionFlag.onStack) == SA_ONSTACK)
        #expect(UInt64(SA_RESETHAND) == SignalActionFlag.resetHandler)
        #expect(SignalActionFlag.known & SignalActionFlag.unsupported == 0)
        let stack: [(UInt32, String)] = [
            (SignalStackFlag.onStack, "SS_ONSTACK"), (SignalStackFlag.disable, "SS_DISABLE"),
            (SignalStackFlag.autoDisarm, "SS_AUTODISARM"), (SignalStackFlag.modifiers, "SS_FLAG_BITS"),
        ]
        for (ours, name) in stack { #expect(kernel[name] == Int64(ours), "\(name)") }
        #expect(Int32(SignalStackFlag.onStack) == SS_ONSTACK && Int32(SignalStackFlag.disable) == SS_DISABLE)
        #expect(kernel["MINSIGSTKSZ"] == Int64(SignalStack.minimumSize))
    }

    @Test func signalCodesAreLinuxs() {
        let codes: [(Int32, String)] = [
            (SignalCode.user, "SI_USER"), (SignalCode.kernel, "SI_KERNEL"), (SignalCode.queue, "SI_QUEUE"),
            (SignalCode.timer, "SI_TIMER"), (SignalCode.messageQueue, "SI_MESGQ"), (SignalCode.asyncIO, "SI_ASYNCIO"),
            (SignalCode.sigIO, "SI_SIGIO"), (SignalCode.tkill, "SI_TKILL"),
            (SignalCode.illegalOpcode, "ILL_ILLOPC"), (SignalCode.illegalOperand, "ILL_ILLOPN"),
            (SignalCode.integerDivide, "FPE_INTDIV"), (SignalCode.integerOverflow, "FPE_INTOVF"),
            (SignalCode.floatDivide, "FPE_FLTDIV"), (SignalCode.floatOverflow, "FPE_FLTOVF"),
            (SignalCode.floatUnderflow, "FPE_FLTUND"), (SignalCode.floatInexact, "FPE_FLTRES"),
            (SignalCode.floatInvalid, "FPE_FLTINV"), (SignalCode.notMapped, "SEGV_MAPERR"),
            (SignalCode.accessDenied, "SEGV_ACCERR"), (SignalCode.misaligned, "BUS_ADRALN"),
            (SignalCode.noSuchAddress, "BUS_ADRERR"), (SignalCode.breakpoint, "TRAP_BRKPT"), (SignalCode.trace, "TRAP_TRACE"),
            (SignalCode.hardwareBreakpoint, "TRAP_HWBKPT"), (SignalCode.childExited, "CLD_EXITED"),
            (SignalCode.childKilled, "CLD_KILLED"), (SignalCode.childDumped, "CLD_DUMPED"),
            (SignalCode.childTrapped, "CLD_TRAPPED"), (SignalCode.childStopped, "CLD_STOPPED"),
            (SignalCode.childContinued, "CLD_CONTINUED"),
        ]
        for (ours, name) in codes { #expect(LinuxSignalHeaders.kernel[name] == Int64(ours), "\(name)") }
        #expect(SignalCode.user == SI_USER && SignalCode.queue == SI_QUEUE && SignalCode.tkill == SI_TKILL)
        #expect(SignalCode.kernel == SI_KERNEL && SignalCode.notMapped == SEGV_MAPERR && SignalCode.accessDenied == SEGV_ACCERR)
    }

    @Test func cloneNumbersAreLinuxs() {
        let kernel = LinuxSignalHeaders.table(linux_thread_abi)
        typealias F = CloneFlag
        let flags: [(UInt64, String)] = [
            (F.exitSignalMask, "CSIGNAL"), (F.vm, "CLONE_VM"), (F.fs, "CLONE_FS"), (F.files, "CLONE_FILES"),
            (F.sighand, "CLONE_SIGHAND"), (F.pidfd, "CLONE_PIDFD"), (F.ptrace, "CLONE_PTRACE"), (F.vfork, "CLONE_VFORK"),
            (F.parent, "CLONE_PARENT"), (F.thread, "CLONE_THREAD"), (F.newMount, "CLONE_NEWNS"),
            (F.sysVSemaphores, "CLONE_SYSVSEM"), (F.setTLS, "CLONE_SETTLS"), (F.parentSetTID, "CLONE_PARENT_SETTID"),
            (F.childClearTID, "CLONE_CHILD_CLEARTID"), (F.detached, "CLONE_DETACHED"), (F.untraced, "CLONE_UNTRACED"),
            (F.childSetTID, "CLONE_CHILD_SETTID"), (F.newCgroup, "CLONE_NEWCGROUP"), (F.newUTS, "CLONE_NEWUTS"),
            (F.newIPC, "CLONE_NEWIPC"), (F.newUser, "CLONE_NEWUSER"), (F.newPID, "CLONE_NEWPID"), (F.newNet, "CLONE_NEWNET"),
            (F.io, "CLONE_IO"), (F.clearSighand, "CLONE_CLEAR_SIGHAND"), (F.intoCgroup, "CLONE_INTO_CGROUP"),
            (F.newTime, "CLONE_NEWTIME"),
        ]
        for (ours, name) in flags { #expect(kernel[name] == Int64(ours), "\(name)") }
        typealias A = CloneArguments
        #expect(kernel["CLONE_ARGS_SIZE_VER0"] == Int64(A.version0Bytes) && kernel["CLONE_ARGS_SIZE_VER1"] == Int64(A.version1Bytes))
        #expect(kernel["CLONE_ARGS_SIZE_VER2"] == Int64(A.version2Bytes))
        #expect(kernel["sizeof struct clone_args"] == Int64(A.bytes), "a newer header knows more of clone_args: teach CloneRequest")
        let fields: [(Int, String)] = [
            (A.flagsOffset, "flags"), (A.pidfdOffset, "pidfd"), (A.childTIDOffset, "child_tid"), (A.parentTIDOffset, "parent_tid"),
            (A.exitSignalOffset, "exit_signal"), (A.stackOffset, "stack"), (A.stackSizeOffset, "stack_size"), (A.tlsOffset, "tls"),
            (A.setTIDOffset, "set_tid"), (A.setTIDSizeOffset, "set_tid_size"), (A.cgroupOffset, "cgroup"),
        ]
        for (ours, name) in fields { #expect(kernel["clone_args." + name] == Int64(ours), "\(name)") }
    }

    @Test func futexNumbersAreLinuxs() {
        let kernel = LinuxSignalHeaders.table(linux_thread_abi)
        typealias O = FutexOperation
        let operations: [(UInt32, String)] = [
            (O.wait, "FUTEX_WAIT"), (O.wake, "FUTEX_WAKE"), (O.fd, "FUTEX_FD"), (O.requeue, "FUTEX_REQUEUE"),
            (O.compareRequeue, "FUTEX_CMP_REQUEUE"), (O.wakeOp, "FUTEX_WAKE_OP"), (O.lockPI, "FUTEX_LOCK_PI"),
            (O.unlockPI, "FUTEX_UNLOCK_PI"), (O.tryLockPI, "FUTEX_TRYLOCK_PI"), (O.waitBitset, "FUTEX_WAIT_BITSET"),
            (O.wakeBitset, "FUTEX_WAKE_BITSET"), (O.waitRequeuePI, "FUTEX_WAIT_REQUEUE_PI"),
            (O.compareRequeuePI, "FUTEX_CMP_REQUEUE_PI"), (O.lockPI2, "FUTEX_LOCK_PI2"), (O.privateFlag, "FUTEX_PRIVATE_FLAG"),
            (O.clockRealtime, "FUTEX_CLOCK_REALTIME"), (O.commandMask, "FUTEX_CMD_MASK"),
            (O.matchAnyBitset, "FUTEX_BITSET_MATCH_ANY"),
            (FutexWakeOpField.set, "FUTEX_OP_SET"), (FutexWakeOpField.add, "FUTEX_OP_ADD"), (FutexWakeOpField.or, "FUTEX_OP_OR"),
            (FutexWakeOpField.andNot, "FUTEX_OP_ANDN"), (FutexWakeOpField.xor, "FUTEX_OP_XOR"),
            (FutexWakeOpField.operandIsShift, "FUTEX_OP_OPARG_SHIFT"), (FutexWakeOpField.equal, "FUTEX_OP_CMP_EQ"),
            (FutexWakeOpField.notEqual, "FUTEX_OP_CMP_NE"), (FutexWakeOpField.less, "FUTEX_OP_CMP_LT"),
            (FutexWakeOpField.lessOrEqual, "FUTEX_OP_CMP_LE"), (FutexWakeOpField.greater, "FUTEX_OP_CMP_GT"),
            (FutexWakeOpField.greaterOrEqual, "FUTEX_OP_CMP_GE"),
            (FutexWord.waiters, "FUTEX_WAITERS"), (FutexWord.ownerDied, "FUTEX_OWNER_DIED"), (FutexWord.tidMask, "FUTEX_TID_MASK"),
            (FutexWaitVector.size32, "FUTEX_32"), (UInt32(FutexWaitVector.maximumCount), "FUTEX_WAITV_MAX"),
            (UInt32(RobustList.limit), "ROBUST_LIST_LIMIT"),
        ]
        for (ours, name) in operations { #expect(kernel[name] == Int64(ours), "\(name)") }
        #expect(kernel["sizeof struct robust_list_head"] == Int64(RobustList.headBytes))
        #expect(kernel["robust_list_head.list.next"] == Int64(RobustList.nextOffset))
        #expect(kernel["robust_list_head.futex_offset"] == Int64(RobustList.futexOffsetOffset))
        #expect(kernel["robust_list_head.list_op_pending"] == Int64(RobustList.pendingOffset))
        #expect(kernel["sizeof struct futex_waitv"] == Int64(FutexWaitVector.bytes))
        #expect(kernel["futex_waitv.val"] == Int64(FutexWaitVector.valueOffset))
        #expect(kernel["futex_waitv.uaddr"] == Int64(FutexWaitVector.addressOffset))
        #expect(kernel["futex_waitv.flags"] == Int64(FutexWaitVector.flagsOffset))
        #expect(kernel["futex_waitv.__reserved"] == Int64(FutexWaitVector.reservedOffset))
    }

    @Test func signalFrameMagicsAreLinuxs() {
        let kernel = LinuxSignalHeaders.kernel
        #expect(kernel["UC_FP_XSTATE"] == Int64(SignalFrame.ContextFlag.fpExtendedState))
        #expect(kernel["UC_SIGCONTEXT_SS"] == Int64(SignalFrame.ContextFlag.sigcontextSS))
        #expect(kernel["UC_STRICT_RESTORE_SS"] == Int64(SignalFrame.ContextFlag.strictRestoreSS))
        #expect(kernel["FP_XSTATE_MAGIC1"] == Int64(ExtendedStateLayout.magic1) && FP_XSTATE_MAGIC1 == ExtendedStateLayout.magic1)
        #expect(kernel["FP_XSTATE_MAGIC2"] == Int64(ExtendedStateLayout.magic2) && FP_XSTATE_MAGIC2 == ExtendedStateLayout.magic2)
        #expect(kernel["FP_XSTATE_MAGIC2_SIZE"] == Int64(ExtendedStateLayout.magic2Bytes))
    }
}
