import CMcosABI
import Glibc
import Kernel
import Testing
@testable import mcexec

/// mcexec's allowlist: every pointer Linux would follow for the program lies in the
/// program's memory, structures with pointers reach Linux as checked copies, mcexec's
/// own descriptors stay its own, and a call not on the list gets ENOSYS.
@Suite struct SyscallPolicyTests {
    let policy = SyscallPolicy(ownDescriptors: [1010, 1011, 1012], pid: 4242)
    let base = ProgramMemoryImage.base
    static let end = UInt64(MCOS_USER_END)
    /// A typical address of mcexec's own heap: a PIE loaded high, above the range.
    static let mcexecHeap: UInt64 = 0x5555_5555_9000

    func decide(_ call: Syscall, _ args: UInt64..., memory: ProgramMemoryImage = ProgramMemoryImage()) -> SyscallAction {
        policy.decide(number: call.rawValue, arguments: args + Array(repeating: 0, count: 6 - args.count), memory: memory)
    }

    func prepared(_ action: SyscallAction) -> PreparedCall? {
        if case .perform(let call) = action { return call }
        return nil
    }

    @Test func everyCallHasADecision() {
        let missing = Syscall.allCases.filter { OffloadTable.rules[$0] == nil }
        #expect(missing.isEmpty, "no rule for \(missing.map(\.name))")
        #expect(policy.decide(number: 9999, arguments: [0, 0, 0, 0, 0, 0], memory: ProgramMemoryImage()) == .refuse(.noSys, .unknownCall))
        #expect(policy.decide(number: 335, arguments: [0, 0, 0, 0, 0, 0], memory: ProgramMemoryImage()).refusal == .noSys)
    }

    @Test func pointersIntoMcexecsOwnMemoryAreRefused() {
        let heap = Self.mcexecHeap
        #expect(decide(.read, 0, heap, 64) == .refuse(.fault, .arguments(.outsideProgram(argument: 1))))
        #expect(decide(.write, 1, heap, 64).refusal == .fault)
        #expect(decide(.pread64, 3, heap, 64, 0).refusal == .fault)
        #expect(decide(.fstat, 3, heap).refusal == .fault)
        #expect(decide(.clockNanosleep, 0, 0, base, heap).refusal == .fault)  // the remainder written back
        #expect(decide(.getrandom, heap, 16, 0).refusal == .fault)
        #expect(decide(.uname, heap).refusal == .fault)
        // A buffer that starts in the program's memory and runs out of it.
        #expect(decide(.read, 0, Self.end - 16, 64).refusal == .fault)
        #expect(decide(.read, 0, Self.end - 64, 64).isPerformed)
        // Lengths that wrap around, and an address below the range.
        #expect(decide(.read, 0, base, UInt64.max).refusal == .fault)
        #expect(decide(.read, 0, 0x1000, 16).refusal == .fault)
        // NULL and empty buffers reach nothing of mcexec's: Linux answers.
        #expect(decide(.read, 0, 0, 64).isPerformed)
        #expect(decide(.read, 0, heap, 0).isPerformed)
    }

    @Test func ordinaryCallsReadNothingOfTheProgram() {
        let memory = ProgramMemoryImage()
        for action in [
            decide(.openat, UInt64(bitPattern: -100), base, 0, 0, memory: memory), decide(.write, 1, base, 4096, memory: memory),
            decide(.newfstatat, 3, base, base + 256, 0, memory: memory), decide(.ioctl, 1, 0x5401, base, memory: memory),
        ] {
            #expect(action.isPerformed)
        }
        #expect(memory.reads.isEmpty)
        #expect(prepared(decide(.openat, 3, base, 0, 0))?.opensByPath == true)
        #expect(prepared(decide(.read, 3, base, 1))?.opensByPath == false)
    }

    @Test func stringsMustEndInTheProgramsMemory() {
        let last = Self.end - ProgramLayout.page
        let memory = ProgramMemoryImage([last: [UInt8](repeating: 0x41, count: Int(ProgramLayout.page))])
        // "AAA…" up to the range's end: Linux would go on reading mcexec's memory.
        #expect(decide(.open, Self.end - 3, 0, memory: memory) == .refuse(.fault, .arguments(.outsideProgram(argument: 0))))
        #expect(decide(.open, last + 1, 0, memory: memory).refusal == .fault)
        #expect(decide(.open, last, 0, memory: memory).isPerformed, "PATH_MAX bytes from there end at the end")
        #expect(decide(.mkdirat, 3, Self.end - 100, 0o755, memory: memory).refusal == .fault)
        #expect(decide(.rename, base, Self.end - 3, memory: memory).refusal == .fault)
        // The same with its NUL before the end is the program's.
        memory.storeBytes([0x41, 0x42, 0], at: Self.end - 3)
        #expect(decide(.open, Self.end - 3, 0, memory: memory).isPerformed)
        // Starting beyond it, or unreadable, never.
        #expect(decide(.open, Self.end, 0, memory: memory).refusal == .fault)
        #expect(decide(.open, Self.mcexecHeap, 0, memory: memory).refusal == .fault)
        #expect(decide(.open, last - 16, 0, memory: ProgramMemoryImage()).isPerformed, "PATH_MAX bytes fit below the end")
        #expect(decide(.open, Self.end - 8, 0, memory: ProgramMemoryImage()).refusal == .fault)
        // Shorter strings have shorter bounds: an xattr name, a thread name.
        #expect(decide(.getxattr, base, Self.end - 256, base, 16).isPerformed)
        #expect(decide(.prctl, 15, Self.end - 16).isPerformed)
    }

    @Test func iovecsAreCheckedAndHandedOverAsCopies() {
        let memory = ProgramMemoryImage()
        let array = base + 0x100
        memory.storeWords([base + 0x1000, 16, base + 0x2000, 32, 0, 0], at: array)
        let call = prepared(decide(.writev, 1, array, 3, memory: memory))
        #expect(call?.arguments[1] == .scratch(0))
        #expect(call?.scratch == memory.read(array, count: 48))
        // One entry into mcexec's memory spoils the call.
        memory.storeWords([Self.mcexecHeap, 8], at: array + 16)
        #expect(decide(.writev, 1, array, 3, memory: memory) == .refuse(.fault, .arguments(.outsideProgram(argument: 1))))
        #expect(decide(.readv, 0, array, 3, memory: memory).refusal == .fault)
        #expect(decide(.preadv2, 3, array, 2, 0, 0, 0, memory: memory).refusal == .fault)
        #expect(decide(.writev, 1, array, 1, memory: memory).isPerformed, "the bad entry is not among those passed")
        // An empty entry points nowhere; an array Linux would not take; one that is unmapped.
        memory.storeWords([Self.mcexecHeap, 0], at: array + 16)
        #expect(decide(.writev, 1, array, 3, memory: memory).isPerformed)
        #expect(decide(.writev, 1, array, 1025, memory: memory).refusal == .inval)
        #expect(decide(.writev, 1, Self.end - 0x1000, 2, memory: memory).refusal == .fault)
        #expect(decide(.writev, 1, Self.mcexecHeap, 2, memory: memory).refusal == .fault)
    }

    @Test func messagesAreCheckedAndWrittenBack() {
        let memory = ProgramMemoryImage()
        let header = base + 0x100, iov = base + 0x200, control = base + 0x300
        memory.storeWords([base + 0x1000, 4096], at: iov)
        // msghdr: name, namelen, iov, iovlen, control, controllen, flags
        memory.storeWords([base + 0x400, 16, iov, 1, control, 24, 0], at: header)
        guard let call = prepared(decide(.recvmsg, 3, header, 0, memory: memory)) else {
            Issue.record("recvmsg refused")
            return
        }
        #expect(call.arguments[1] == .scratch(0))
        #expect(call.relocations == [16])
        #expect(call.scratch.word(at: 16) == 56, "the header's iov points at the copied iovec")
        #expect(Array(call.scratch[56..<72]) == memory.read(iov, count: 16))
        #expect(call.copyBack == [.init(scratch: 8..<12, address: header + 8), .init(scratch: 40..<52, address: header + 40)])

        for bad in [(0, Self.mcexecHeap), (16, Self.mcexecHeap), (32, Self.mcexecHeap)] {
            let copy = ProgramMemoryImage()
            copy.storeBytes(memory.read(base, count: 0x1000)!, at: base)
            copy.storeWords([bad.1], at: header + UInt64(bad.0))
            #expect(decide(.sendmsg, 3, header, 0, memory: copy).refusal == .fault, "field at \(bad.0)")
        }
        memory.storeWords([Self.mcexecHeap, 8], at: iov)
        #expect(decide(.sendmsg, 3, header, 0, memory: memory).refusal == .fault, "an iovec of the header")
    }

    @Test func descriptorsPassedInMessagesAreThePrograms() {
        let memory = ProgramMemoryImage()
        let header = base + 0x100, control = base + 0x300
        memory.storeWords([0, 0, 0, 0, control, 24, 0], at: header)
        // cmsghdr { len 20, SOL_SOCKET, SCM_RIGHTS }, one descriptor
        memory.storeWords([20, 1 | (1 << 32) as UInt64, 5], at: control)
        let call = prepared(decide(.sendmsg, 3, header, 0, memory: memory))
        #expect(call?.relocations == [32])
        #expect(call.map { Array($0.scratch[56..<80]) } == memory.read(control, count: 24), "Linux gets the control data checked")
        memory.storeWords([1011], at: control + 16)
        #expect(decide(.sendmsg, 3, header, 0, memory: memory) == .refuse(.badf, .arguments(.ownDescriptor(argument: 1))))
        // sendmmsg: the second message carries it.
        let vector = base + 0x800
        memory.storeWords([0, 0, 0, 0, 0, 0, 0, 0], at: vector)
        memory.storeWords([0, 0, 0, 0, control, 24, 0, 0], at: vector + 64)
        #expect(decide(.sendmmsg, 3, vector, 1, 0, memory: memory).isPerformed)
        #expect(decide(.sendmmsg, 3, vector, 2, 0, memory: memory).refusal == .badf)
        #expect(ControlMessages.passedDescriptors([]) == [])
    }

    @Test func linuxIsToldHowManyMessagesWereChecked() {
        // recvmmsg would take all 5000: those past the checked copy would be read from,
        // and written to, mcexec's own memory.
        let memory = ProgramMemoryImage()  // 1024 empty messages at base
        for call in [Syscall.recvmmsg, .sendmmsg] {
            #expect(prepared(decide(call, 3, base, 5000, 0, 0, memory: memory))?.arguments[2] == .value(1024), "\(call.name)")
            #expect(prepared(decide(call, 3, base, 1 << 32 | 2, 0, 0, memory: memory))?.arguments[2] == .value(2), "\(call.name)")
        }
    }

    @Test func refusedCallsGetENOSYS() {
        let refused: [Syscall] = [
            .rseq, .seccomp, .remapFilePages, .pidfdGetfd, .ptrace,
            .restartSyscall, .setThreadArea, .modifyLdt, .unshare, .userfaultfd, .ioUringSetup, .bpf,
            .vmsplice, .mount, .reboot, .initModule, .kexecLoad, .getRobustList, .mbind, .shmat,
        ]
        for call in refused {
            guard case .refuse(.noSys, .call) = decide(call, 1, base, 16) else {
                Issue.record("\(call.name) is not refused with ENOSYS")
                continue
            }
        }
    }

    @Test func crossMemoryReachesOtherProcessesOnly() {
        let memory = ProgramMemoryImage()
        memory.storeWords([base + 0x1000, 64], at: base)  // the local iovec
        memory.storeWords([0x7000_0000, 64], at: base + 0x100)  // the remote one: the other's address
        memory.storeWords([Self.mcexecHeap, 64], at: base + 0x200)
        let nobody: UInt64 = 0x3fff_fff0
        for call in [Syscall.processVmReadv, .processVmWritev] {
            #expect(decide(call, 4242, base, 1, base + 0x100, 1, 0, memory: memory) == .refuse(.noSys, .call(.actsOnProxy)),
                    "\(call.name) of mcexec itself")
            #expect(decide(call, UInt64(getpid()), base, 1, base + 0x100, 1, 0, memory: memory).refusal == .noSys,
                    "\(call.name) of one of mcexec's threads")
            let performed = prepared(decide(call, nobody, base, 1, base + 0x100, 1, 0, memory: memory))
            #expect(performed?.arguments[3] == .value(base + 0x100), "the remote array goes as it is")
            #expect(decide(call, nobody, base + 0x200, 1, base + 0x100, 1, 0, memory: memory).refusal == .fault, "a local buffer of mcexec's")
            #expect(decide(call, nobody, base, 1, Self.mcexecHeap, 1, 0, memory: memory).refusal == .fault, "a remote array of mcexec's")
        }
    }

    @Test func commandsArePassedOnOnlyWhenKnown() {
        #expect(decide(.prctl, 22, 2, base).refusal == .inval, "PR_SET_SECCOMP")
        #expect(decide(.prctl, 26, 2).refusal == .inval, "PR_SET_TSC")
        #expect(decide(.prctl, 35, 1, base).refusal == .inval, "PR_SET_MM")
        #expect(decide(.prctl, 0x5961_6d61, 1).refusal == .inval, "PR_SET_PTRACER")
        #expect(decide(.prctl, 16, base).isPerformed, "PR_GET_NAME")
        #expect(decide(.prctl, 16, Self.mcexecHeap).refusal == .fault)
        #expect(decide(.personality, 0xffff_ffff).isPerformed)
        #expect(decide(.personality, 0x0040_0000).refusal == .inval, "READ_IMPLIES_EXEC")
        #expect(decide(.fcntl, 3, 5, base).isPerformed, "F_GETLK")
        #expect(decide(.fcntl, 3, 5, Self.mcexecHeap).refusal == .fault)
        #expect(decide(.fcntl, 3, 99).refusal == .inval)
        #expect(decide(.ioctl, 0, 0x5413, base).isPerformed, "TIOCGWINSZ")
        #expect(decide(.ioctl, 0, 0x5413, Self.mcexecHeap).refusal == .fault)
        #expect(decide(.ioctl, 0, 0x1_0000_5413, base).isPerformed, "the request is an unsigned int")
        #expect(decide(.ioctl, 0, 0x5412, base) == .refuse(.noTTY, .arguments(.command(0x5412))), "TIOCSTI")
        #expect(decide(.ioctl, 3, 0xc018_ae85, base).refusal == .noTTY, "a driver's own request")
        #expect(decide(.futex, base, 0x80, 1, Self.mcexecHeap).refusal == .fault, "FUTEX_WAIT_PRIVATE's timeout")
        #expect(decide(.futex, base, 0x83, 1, 7, base + 8).isPerformed, "FUTEX_REQUEUE_PRIVATE's fourth is a count")
        #expect(decide(.futex, Self.mcexecHeap, 1, 1).refusal == .fault)
        #expect(decide(.semctl, 1, 0, 13 | 0x100, base).refusal == .inval, "GETALL")
        #expect(decide(.semctl, 1, 0, 2 | 0x100, base).isPerformed, "IPC_STAT")
    }

    @Test func socketOptionsAreBounded() {
        #expect(decide(.setsockopt, 3, 1, 2, base, 4).isPerformed, "SO_REUSEADDR")
        #expect(decide(.setsockopt, 3, 1, 2, Self.mcexecHeap, 4).refusal == .fault)
        #expect(decide(.setsockopt, 3, 1, 2, Self.end - 4, 1 << 20).isPerformed, "Linux reads no more than an int")
        #expect(decide(.setsockopt, 3, 1, 26, base, 16).refusal == .noProtoOpt, "SO_ATTACH_FILTER points at a program")
        #expect(decide(.getsockopt, 3, 6, 11, base, base + 512).isPerformed, "TCP_INFO")
        #expect(decide(.getsockopt, 3, 6, 11, Self.end - 8, base).refusal == .fault)
        #expect(decide(.getsockopt, 3, 1, 31, base, base + 512).refusal == .noProtoOpt, "SO_PEERSEC has no bound")
        #expect(decide(.getsockopt, 1010, 1, 4, base, base + 8).refusal == .badf)
    }

    @Test func embeddedPointersAreChecked() {
        let memory = ProgramMemoryImage()
        let ifconf = base + 0x100
        memory.storeWords([4096, base + 0x1000], at: ifconf)
        let call = prepared(decide(.ioctl, 3, 0x8912, ifconf, memory: memory))
        #expect(call?.arguments[2] == .scratch(0))
        #expect(call?.copyBack == [.init(scratch: 0..<16, address: ifconf)], "Linux updates ifc_len")
        memory.storeWords([4096, Self.mcexecHeap], at: ifconf)
        #expect(decide(.ioctl, 3, 0x8912, ifconf, memory: memory).refusal == .fault)
        // pselect6's { sigset_t *, size_t }
        memory.storeWords([Self.mcexecHeap, 8], at: base + 0x200)
        #expect(decide(.pselect6, 1, 0, 0, 0, 0, base + 0x200, memory: memory).refusal == .fault)
        #expect(decide(.pselect6, 1, 0, 0, 0, 0, 0, memory: memory).isPerformed)
    }

    @Test func processMemoryFilesAreRecognised() {
        let proc = ProcessMemoryFile.procfsType
        #expect(ProcessMemoryFile.matches(fileSystemType: proc, path: "/proc/4242/mem"))
        #expect(ProcessMemoryFile.matches(fileSystemType: proc, path: "/proc/4242/task/4243/mem"))
        #expect(ProcessMemoryFile.matches(fileSystemType: proc, path: "/run/other/proc/1/mem"))
        #expect(!ProcessMemoryFile.matches(fileSystemType: proc, path: "/proc/4242/maps"))
        #expect(!ProcessMemoryFile.matches(fileSystemType: proc, path: "/proc/sys/vm/mem"))
        #expect(!ProcessMemoryFile.matches(fileSystemType: 0xef53, path: "/home/u/1/mem"))
    }

    @Test func thePolicyIsASendableValue() {
        let shared = policy
        let decisions = (0..<4).map { _ in Task { shared.decide(number: Syscall.getpid.rawValue, arguments: [0, 0, 0, 0, 0, 0], memory: ProgramMemoryImage()) } }
        _ = decisions
    }
}
