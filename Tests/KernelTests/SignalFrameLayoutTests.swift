import Testing
@testable import Kernel

/// Every field the LWK writes into a signal frame sits where the host's headers put it:
/// the kernel's struct rt_sigframe, glibc's ucontext_t and gregs indices that programs
/// read, siginfo_t in both, and the FP state's software bytes.
@Suite struct SignalFrameLayoutTests {
    typealias Offset = SignalFrame.Offset
    let kernel = LinuxSignalHeaders.kernel
    let glibc = LinuxSignalHeaders.glibc

    /// The kernel's offset of `member` in struct rt_sigframe.
    func frame(_ member: String) -> Int? { kernel["rt_sigframe." + member].map { Int($0) } }

    @Test func frameFieldsAtTheKernelsOffsets() {
        #expect(kernel["sizeof struct rt_sigframe"] == Int64(SignalFrame.bytes))
        #expect(frame("pretcode") == Offset.pretcode && frame("uc") == Offset.ucontext)
        #expect(frame("uc.uc_flags") == Offset.flags && frame("uc.uc_link") == Offset.link)
        #expect(frame("uc.uc_stack") == Offset.stack && frame("uc.uc_stack.ss_sp") == Offset.stackBase)
        #expect(frame("uc.uc_stack.ss_flags") == Offset.stackFlags && frame("uc.uc_stack.ss_size") == Offset.stackSize)
        #expect(frame("uc.uc_mcontext") == Offset.mcontext && frame("uc.uc_mcontext.r8") == Offset.registers)
        #expect(frame("uc.uc_mcontext.cs") == Offset.cs && frame("uc.uc_mcontext.gs") == Offset.gs)
        #expect(frame("uc.uc_mcontext.fs") == Offset.fs && frame("uc.uc_mcontext.ss") == Offset.ss)
        #expect(frame("uc.uc_mcontext.err") == Offset.errorCode && frame("uc.uc_mcontext.trapno") == Offset.trapNumber)
        #expect(frame("uc.uc_mcontext.oldmask") == Offset.oldMask && frame("uc.uc_mcontext.cr2") == Offset.cr2)
        #expect(frame("uc.uc_mcontext.fpstate") == Offset.fpState && frame("uc.uc_mcontext.reserved1") == Offset.reserved)
        #expect(frame("uc.uc_sigmask") == Offset.sigmask && frame("info") == Offset.info)
        #expect(kernel["sizeof struct sigcontext"] == Int64(Offset.sigmask - Offset.mcontext))
        #expect(kernel["sizeof stack_t"] == Int64(SignalStack.Setting.words * 8))
    }

    /// sigcontextWords' order is struct sigcontext's and glibc's gregs[REG_*]: the
    /// register a program reads as uc_mcontext.gregs[REG_RIP] is the one the LWK saved as rip.
    @Test func registersInSigcontextAndGregsOrder() throws {
        let names = ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp", "rbx", "rdx", "rax", "rcx", "rsp", "rip"]
        var registers = UserRegisters()
        registers.load(sigcontextWords: (0..<18).map { UInt64($0) })
        #expect(registers.sigcontextWords == (0..<18).map { UInt64($0) })
        #expect(registers.r8 == 0 && registers.rdi == 8 && registers.rsp == 15 && registers.rip == 16 && registers.rflags == 17)
        let gregs = try #require(glibc["ucontext_t.uc_mcontext.gregs"])
        for (index, name) in (names + ["eflags"]).enumerated() {
            #expect(frame("uc.uc_mcontext." + name) == Offset.registers + 8 * index, "\(name)")
            let glibcName = name == "eflags" ? "REG_EFL" : "REG_" + name.uppercased()
            let gregsIndex = try #require(glibc[glibcName], "\(glibcName)")
            #expect(Int(gregs + 8 * gregsIndex) + Offset.ucontext == Offset.registers + 8 * index, "\(glibcName)")
        }
        // cs, gs, fs, ss share one greg, then err, trapno, oldmask, cr2.
        for (name, offset) in [("REG_CSGSFS", Offset.cs), ("REG_ERR", Offset.errorCode), ("REG_TRAPNO", Offset.trapNumber),
                               ("REG_OLDMASK", Offset.oldMask), ("REG_CR2", Offset.cr2)] {
            let gregsIndex = try #require(glibc[name])
            #expect(Int(gregs + 8 * gregsIndex) + Offset.ucontext == offset, "\(name)")
        }
    }

    /// glibc's ucontext_t is the kernel's struct ucontext up to uc_sigmask (glibc's
    /// sigset_t is longer; the kernel's 8 bytes are its first word).
    @Test func glibcUcontextMatchesTheFrame() {
        let pairs: [(String, Int)] = [
            ("uc_flags", Offset.flags), ("uc_link", Offset.link), ("uc_stack.ss_sp", Offset.stackBase),
            ("uc_stack.ss_flags", Offset.stackFlags), ("uc_stack.ss_size", Offset.stackSize), ("uc_mcontext", Offset.mcontext),
            ("uc_mcontext.fpregs", Offset.fpState), ("uc_sigmask", Offset.sigmask),
        ]
        for (member, offset) in pairs {
            #expect(glibc["ucontext_t." + member].map { Int($0) + Offset.ucontext } == offset, "\(member)")
        }
    }

    @Test func siginfoFieldsWhereBothHeadersPutThem() {
        #expect(kernel["sizeof siginfo_t"] == Int64(SignalInfo.bytes) && glibc["sizeof siginfo_t"] == Int64(SignalInfo.bytes))
        let sent = SignalInfo.sent(Signal.usr1, code: SignalCode.tkill, pid: 0x1234, uid: 1000).image
        let queued = SignalInfo.queued(Signal.usr2, pid: 77, uid: 5, value: 0xdead_beef_0bad_f00d).image
        let fault = SignalInfo.fault(Signal.segv, code: SignalCode.notMapped, address: 0x7fff_0000_1238).image
        let child = SignalInfo.child(code: SignalCode.childExited, pid: 99, uid: 7, status: 3, userTicks: 11, systemTicks: 12).image
        func field(_ image: [UInt8], _ name: String, size: Int) -> UInt64? {
            guard let kernelOffset = kernel["siginfo." + name], glibc["siginfo_t." + (name == "si_tid" ? "si_timerid" : name)] == kernelOffset
            else { return nil }
            return image.field(at: Int(kernelOffset), size: size)
        }
        #expect(field(sent, "si_signo", size: 4) == UInt64(Signal.usr1) && field(sent, "si_errno", size: 4) == 0)
        #expect(field(sent, "si_code", size: 4) == UInt64(UInt32(bitPattern: SignalCode.tkill)))
        #expect(field(sent, "si_pid", size: 4) == 0x1234 && field(sent, "si_uid", size: 4) == 1000)
        #expect(field(queued, "si_code", size: 4) == UInt64(UInt32(bitPattern: SignalCode.queue)))
        #expect(field(queued, "si_pid", size: 4) == 77 && field(queued, "si_value", size: 8) == 0xdead_beef_0bad_f00d)
        #expect(field(fault, "si_addr", size: 8) == 0x7fff_0000_1238 && field(fault, "si_code", size: 4) == 1)
        #expect(field(child, "si_signo", size: 4) == UInt64(Signal.chld) && field(child, "si_pid", size: 4) == 99)
        #expect(field(child, "si_uid", size: 4) == 7 && field(child, "si_status", size: 4) == 3)
        #expect(field(child, "si_utime", size: 8) == 11 && field(child, "si_stime", size: 8) == 12)
        #expect(field(sent, "si_tid", size: 4) == 0x1234 && field(sent, "si_overrun", size: 4) == 1000)
        #expect(child[48...].allSatisfy { $0 == 0 }, "zero past the union, as copy_siginfo_to_user leaves it")
        #expect(SignalInfo.fault(Signal.segv, code: 1, address: 5) == SignalInfo.fault(Signal.segv, code: 1, address: 5))
        #expect(SignalInfo.kernel(Signal.segv).code == SignalCode.kernel)
    }

    @Test func fpStateFieldsAtTheKernelsOffsets() {
        typealias L = ExtendedStateLayout
        #expect(kernel["sizeof struct _fpstate_64"] == Int64(L.legacyBytes) && kernel["sizeof struct _header"] == Int64(L.headerBytes))
        #expect(kernel["_fpstate_64.mxcsr"] == Int64(L.mxcsrOffset) && kernel["_fpstate_64.sw_reserved"] == Int64(L.softwareBytesOffset))
        #expect(kernel["_fpstate_64.cwd"] == 0 && kernel["_fpstate_64.swd"] == 2, "UserFault reads them there")
        #expect(kernel["sizeof struct _fpx_sw_bytes"] == Int64(L.softwareBytes))
        #expect(kernel["_fpx_sw_bytes.magic1"].map { Int($0) + L.softwareBytesOffset } == L.magic1Offset)
        #expect(kernel["_fpx_sw_bytes.extended_size"].map { Int($0) + L.softwareBytesOffset } == L.extendedSizeOffset)
        #expect(kernel["_fpx_sw_bytes.xfeatures"].map { Int($0) + L.softwareBytesOffset } == L.xfeaturesOffset)
        #expect(kernel["_fpx_sw_bytes.xstate_size"].map { Int($0) + L.softwareBytesOffset } == L.xstateSizeOffset)
        #expect(kernel["_xstate.xstate_hdr.xfeatures"] == Int64(L.xstateBVOffset))
        #expect(kernel["_xstate.ymmh"] == Int64(L.minimumXSAVESize))
    }
}
