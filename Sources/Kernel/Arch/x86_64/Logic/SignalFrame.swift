/// Linux's x86-64 signal frame, struct rt_sigframe (arch/x86/include/asm/sigframe.h),
/// as the kernel writes it on the user stack to run a handler. Offsets from the frame's
/// start, which is the handler's rsp:
///
///     0    pretcode: sa_restorer, where the handler returns to
///     8    struct ucontext: 8 uc_flags, 16 uc_link, 24 uc_stack {ss_sp, ss_flags, ss_size},
///          48 uc_mcontext = struct sigcontext: r8 ... r15, rdi rsi rbp rbx rdx rax rcx rsp,
///             rip, eflags; 192 cs gs fs ss (16 bits each); 200 err, trapno, oldmask, cr2;
///             232 fpstate; 240 reserved
///          304 uc_sigmask
///     312  siginfo (128 bytes)
///     440  end; above it, 64-byte aligned, the FP state (ExtendedStateLayout)
///
/// Delivering a handled signal, as Linux's handle_signal does: take the action's
/// `afterDelivery` (SA_RESETHAND), build the frame, write `image` at `address` and
/// `fpStateImage` at `fpStateAddress`; if that fails (or the init throws), force
/// SIGSEGV (`SignalDisposition.frameFailure`). Otherwise the thread goes on with
/// `handlerRegisters`, the mask `handlerMask`, its alternate stack
/// `disarmIfAutomatic()`-ed, and its FP state initial, as after execve.
public struct SignalFrame: Equatable, Sendable {
    /// Offsets in the frame.
    public enum Offset {
        public static let pretcode = 0, ucontext = 8
        public static let flags = 8, link = 16, stack = 24, mcontext = 48, sigmask = 304, info = 312
        /// In uc_stack.
        public static let stackBase = 24, stackFlags = 32, stackSize = 40
        /// In uc_mcontext (struct sigcontext), from the frame's start: the registers in
        /// `UserRegisters.sigcontextWords`' order, then the rest.
        public static let registers = 48, cs = 192, gs = 194, fs = 196, ss = 198
        public static let errorCode = 200, trapNumber = 208, oldMask = 216, cr2 = 224, fpState = 232, reserved = 240
    }

    /// sizeof(struct rt_sigframe).
    public static let bytes = 440
    /// The System V ABI's red zone below rsp, which leaf functions use without moving
    /// rsp: the frame goes below it.
    public static let redZone: UInt64 = 128

    /// uc_flags (asm/ucontext.h).
    public enum ContextFlag {
        /// The FP state holds an XSAVE area (with its magics).
        public static let fpExtendedState: UInt64 = 0x1
        /// The sigcontext's ss is the one at the signal.
        public static let sigcontextSS: UInt64 = 0x2
        /// The signal came from 64-bit code: rt_sigreturn restores ss as it is.
        public static let strictRestoreSS: UInt64 = 0x4
    }

    /// Where the frame starts: the handler's rsp.
    public var address: UInt64
    /// The frame's bytes.
    public var image: [UInt8]
    public var fpStateAddress: UInt64
    public var fpStateImage: [UInt8]
    /// The handler's entry: rip = handler, rsp = `address` (≡ 8 mod 16, as after a
    /// call), rdi = signal, rsi = &info, rdx = &uc, rax = 0 (for handlers declared
    /// without a prototype), DF, TF and RF clear; the rest as interrupted.
    public var handlerRegisters: UserRegisters

    public enum Failure: Error, Equatable {
        /// x86-64 handlers return through sa_restorer; without SA_RESTORER there is no
        /// way back (Linux makes it a frame fault).
        case noRestorer
        /// The frame does not fit on the alternate stack the thread runs on or goes to.
        case altStackOverflow
    }

    /// The frame for `signal` with `action` (a handler), for a thread interrupted at
    /// `interrupted`: `savedMask` is the mask to restore at rt_sigreturn (the thread's,
    /// or the one sigsuspend replaced), `trap` the thread's last exception, `altStack`
    /// its alternate stack, `fpState` its saved FP area in `layout`.
    public init(signal: UInt32, info: SignalInfo, action: SignalDisposition, interrupted: UserRegisters, savedMask: UInt64,
                trap: TrapState, altStack: SignalStack, fpState: [UInt8], layout: ExtendedStateLayout) throws(Failure) {
        guard action.has(SignalActionFlag.restorer) else { throw .noRestorer }

        // get_sigframe: below the red zone, or at the top of the alternate stack if the
        // handler asks for it and the thread is not already on it; the FP state first,
        // 64-byte aligned, then the frame so that rsp + 8 is 16-byte aligned.
        let nested = altStack.isInUse(at: interrupted.rsp)
        var top = interrupted.rsp &- Self.redZone
        var entering = false
        if action.has(SignalActionFlag.onStack) && altStack.state(at: top) == 0 {
            top = altStack.base &+ altStack.size
            entering = true
        }
        let fpStateAddress = (top &- UInt64(layout.frameBytes)) & ~(ExtendedStateLayout.frameAlignment - 1)
        let address = ((fpStateAddress &- UInt64(Self.bytes)) & ~15) &- 8
        if (nested || entering) && !altStack.contains(address) { throw .altStackOverflow }

        var frame = [UInt8](repeating: 0, count: Self.bytes)
        frame.setWord(action.restorer, at: Offset.pretcode)
        let extended = layout.usesXSAVE ? ContextFlag.fpExtendedState : 0
        frame.setWord(extended | ContextFlag.sigcontextSS | ContextFlag.strictRestoreSS, at: Offset.flags)
        frame.setWord(altStack.base, at: Offset.stackBase)
        frame.setField(UInt64(altStack.flags), at: Offset.stackFlags, size: 4)
        frame.setWord(altStack.size, at: Offset.stackSize)
        for (index, word) in interrupted.sigcontextWords.enumerated() { frame.setWord(word, at: Offset.registers + 8 * index) }
        frame.setField(interrupted.cs, at: Offset.cs, size: 2)
        frame.setField(interrupted.ss, at: Offset.ss, size: 2)
        frame.setWord(trap.errorCode, at: Offset.errorCode)
        frame.setWord(trap.number, at: Offset.trapNumber)
        frame.setWord(savedMask, at: Offset.oldMask)
        frame.setWord(trap.address, at: Offset.cr2)
        frame.setWord(fpStateAddress, at: Offset.fpState)
        frame.setWord(savedMask, at: Offset.sigmask)
        if action.has(SignalActionFlag.siginfo) {
            for (index, byte) in info.image.enumerated() { frame[Offset.info + index] = byte }
        }

        var handler = interrupted
        handler.rdi = UInt64(signal)
        handler.rsi = address &+ UInt64(Offset.info)
        handler.rdx = address &+ UInt64(Offset.ucontext)
        handler.rax = 0
        handler.rip = action.handler
        handler.rsp = address
        handler.rflags &= ~(RFlags.direction | RFlags.resume | RFlags.trap)

        self.address = address
        image = frame
        self.fpStateAddress = fpStateAddress
        fpStateImage = layout.signalFrameImage(of: fpState)
        handlerRegisters = handler
    }
}

/// What Linux keeps of a thread's last exception (thread.trap_nr, error_code, cr2), which
/// every signal frame reports in sigcontext's trapno, err and cr2.
public struct TrapState: Equatable, Sendable {
    public var number: UInt64 = 0
    public var errorCode: UInt64 = 0
    /// The last page fault's address.
    public var address: UInt64 = 0

    public init() {}

    public init(number: UInt64, errorCode: UInt64, address: UInt64) {
        self.number = number
        self.errorCode = errorCode
        self.address = address
    }
}

extension SignalStack {
    /// MINSIGSTKSZ on x86-64 (asm/signal.h): sigaltstack refuses a smaller stack.
    public static let minimumSize: UInt64 = 2048
}
