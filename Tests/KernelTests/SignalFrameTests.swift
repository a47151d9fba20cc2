import Testing
@testable import Kernel

/// A handler's frame as Linux x86-64 builds it: where it goes, what it holds, the
/// registers the handler starts with.
@Suite struct SignalFrameTests {
    typealias Offset = SignalFrame.Offset
    static let layout = ExtendedStateLayout.xsave(features: 0b111, size: 832, mxcsrMask: 0xffbf)
    static let handler: UInt64 = 0x40_1000, restorer: UInt64 = 0x40_2000
    static let stackBase: UInt64 = 0x7fff_fff0_0000

    static var interrupted: UserRegisters {
        var r = UserRegisters()
        r.load(sigcontextWords: (0..<18).map { 0x1111_0000 + UInt64($0) })
        r.rsp = 0x7fff_ffff_e123
        r.rip = 0x40_5678
        r.rflags = RFlags.reserved | RFlags.interrupt | RFlags.zero | RFlags.direction | RFlags.trap | RFlags.resume
        r.cs = 0x2b
        r.ss = 0x23
        return r
    }

    /// x87 control word, MXCSR, an XMM byte, XSTATE_BV = x87 + AVX, the AVX halves.
    static var fpState: [UInt8] {
        var area = [UInt8](repeating: 0, count: layout.size)
        area.setField(0x37f, at: 0, size: 2)
        area.setField(0x1f80, at: ExtendedStateLayout.mxcsrOffset, size: 4)
        area[160] = 0x5a
        area.setWord(0b101, at: ExtendedStateLayout.xstateBVOffset)
        area.setWord(0xffff, at: ExtendedStateLayout.xcompBVOffset)  // XSAVE leaves the header's rest alone
        for index in 576..<832 { area[index] = 0xab }
        return area
    }

    static func action(_ flags: UInt64 = SignalActionFlag.siginfo | SignalActionFlag.restorer) -> SignalDisposition {
        SignalDisposition(handler: handler, flags: flags, restorer: restorer, mask: Signal.bit(Signal.usr2))
    }

    static func frame(_ action: SignalDisposition = action(), registers: UserRegisters = interrupted, altStack: SignalStack = SignalStack(),
                      layout: ExtendedStateLayout = layout, fpState: [UInt8] = fpState) throws(SignalFrame.Failure) -> SignalFrame {
        try SignalFrame(signal: Signal.usr1, info: .sent(Signal.usr1, pid: 4242, uid: 1000), action: action, interrupted: registers,
                        savedMask: Signal.bit(Signal.term), trap: TrapState(number: 14, errorCode: 6, address: 0xdead_0000),
                        altStack: altStack, fpState: fpState, layout: layout)
    }

    @Test func placedBelowTheRedZoneAlignedAsAfterACall() throws {
        let f = try Self.frame()
        let rsp = Self.interrupted.rsp
        #expect(f.address % 16 == 8, "rsp + 8 is 16-byte aligned at the handler's first instruction")
        #expect(f.fpStateAddress % 64 == 0)
        #expect(f.address + UInt64(SignalFrame.bytes) <= f.fpStateAddress && f.fpStateAddress - (f.address + 440) < 16 + 8)
        #expect(f.fpStateAddress + UInt64(f.fpStateImage.count) <= rsp - 128)
        #expect(rsp - 128 - (f.fpStateAddress + 836) < 64, "as high as alignment allows")
        #expect(f.image.count == 440 && f.fpStateImage.count == 836)
    }

    @Test func theFrameHoldsWhatLinuxPutsThere() throws {
        let f = try Self.frame()
        let image = f.image
        #expect(image.word(at: Offset.pretcode) == Self.restorer)
        #expect(image.word(at: Offset.flags) == 0b111, "UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS")
        #expect(image.word(at: Offset.link) == 0)
        #expect(image.word(at: Offset.stackBase) == 0 && image.field(at: Offset.stackFlags, size: 4) == UInt64(SignalStackFlag.disable))
        #expect(image.word(at: Offset.stackSize) == 0)
        for (index, word) in Self.interrupted.sigcontextWords.enumerated() { #expect(image.word(at: Offset.registers + 8 * index) == word) }
        #expect(image.field(at: Offset.cs, size: 2) == 0x2b && image.field(at: Offset.ss, size: 2) == 0x23)
        #expect(image.field(at: Offset.gs, size: 2) == 0 && image.field(at: Offset.fs, size: 2) == 0)
        #expect(image.word(at: Offset.trapNumber) == 14 && image.word(at: Offset.errorCode) == 6 && image.word(at: Offset.cr2) == 0xdead_0000)
        #expect(image.word(at: Offset.oldMask) == Signal.bit(Signal.term) && image.word(at: Offset.sigmask) == Signal.bit(Signal.term))
        #expect(image.word(at: Offset.fpState) == f.fpStateAddress)
        #expect(image[Offset.reserved..<Offset.sigmask].allSatisfy { $0 == 0 })
        #expect(Array(image[Offset.info...]) == SignalInfo.sent(Signal.usr1, pid: 4242, uid: 1000).image)
    }

    @Test func theHandlerStartsAsLinuxStartsIt() throws {
        let f = try Self.frame()
        var expected = Self.interrupted
        expected.rdi = UInt64(Signal.usr1)
        expected.rsi = f.address + 312
        expected.rdx = f.address + 8
        expected.rax = 0
        expected.rip = Self.handler
        expected.rsp = f.address
        expected.rflags = RFlags.reserved | RFlags.interrupt | RFlags.zero
        #expect(f.handlerRegisters == expected)
    }

    @Test func siginfoOnlyWithSASiginfo() throws {
        let f = try Self.frame(Self.action(SignalActionFlag.restorer))
        #expect(f.image[Offset.info...].allSatisfy { $0 == 0 })
        #expect(f.handlerRegisters.rsi == f.address + 312, "still points at it, as on Linux")
    }

    @Test func noRestorerIsAFrameFailure() {
        #expect(throws: SignalFrame.Failure.noRestorer) { try Self.frame(Self.action(SignalActionFlag.siginfo)) }
    }

    @Test func theFPStateWithBothMagics() throws {
        let f = try Self.frame()
        let fp = f.fpStateImage
        typealias L = ExtendedStateLayout
        #expect(fp.field(at: L.magic1Offset, size: 4) == UInt64(L.magic1))
        #expect(fp.field(at: L.extendedSizeOffset, size: 4) == 836 && fp.field(at: L.xstateSizeOffset, size: 4) == 832)
        #expect(fp.word(at: L.xfeaturesOffset) == 0b111)
        #expect(fp[488..<512].allSatisfy { $0 == 0 }, "sw_bytes padding")
        #expect(fp.field(at: 832, size: 4) == UInt64(L.magic2))
        #expect(fp.word(at: L.xstateBVOffset) == 0b111, "x87 and SSE always present")
        #expect(fp[520..<576].allSatisfy { $0 == 0 }, "the rest of the header cleared")
        #expect(Array(fp[0..<464]) == Array(Self.fpState[0..<464]) && Array(fp[576..<832]) == Array(Self.fpState[576..<832]))
    }

    @Test func withoutXSAVETheLegacyAreaAlone() throws {
        let legacy = ExtendedStateLayout.fxsave(mxcsrMask: 0xffbf)
        var state = [UInt8](repeating: 0x11, count: 512)
        state.setField(0x1f80, at: 24, size: 4)
        let f = try Self.frame(layout: legacy, fpState: state)
        #expect(f.image.word(at: Offset.flags) == 0b110, "no UC_FP_XSTATE")
        #expect(f.fpStateImage.count == 512 && f.fpStateAddress % 64 == 0)
        #expect(f.fpStateImage[464..<512].allSatisfy { $0 == 0 }, "no magic: the legacy layout")
        #expect(Array(f.fpStateImage[0..<464]) == Array(state[0..<464]))
        #expect(f.fpStateAddress + 512 <= Self.interrupted.rsp - 128)
    }

    // MARK: - The alternate stack

    static let altBase: UInt64 = 0x7fff_fff8_0000, altSize: UInt64 = 0x4000

    @Test func saOnstackGoesToTheTopOfTheAlternateStack() throws {
        let alt = SignalStack(base: Self.altBase, size: Self.altSize, flags: 0)
        let f = try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack), altStack: alt)
        #expect(f.fpStateAddress + UInt64(f.fpStateImage.count) <= Self.altBase + Self.altSize)
        #expect(Self.altBase + Self.altSize - f.fpStateAddress < 836 + 64)
        #expect(alt.contains(f.address) && f.address % 16 == 8)
        #expect(f.image.word(at: Offset.stackBase) == Self.altBase && f.image.word(at: Offset.stackSize) == Self.altSize)
        #expect(f.image.field(at: Offset.stackFlags, size: 4) == 0, "the flags as the program set them")
        // Without SA_ONSTACK, or with the stack disabled, the thread's own stack.
        let plain = try Self.frame(altStack: alt)
        #expect(plain.address > Self.interrupted.rsp - 2048 && plain.address < Self.interrupted.rsp)
        let disabled = try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack))
        #expect(disabled.address == plain.address)
    }

    @Test func aNestedSignalStaysBelowOnTheAlternateStack() throws {
        let alt = SignalStack(base: Self.altBase, size: Self.altSize, flags: 0)
        var onIt = Self.interrupted
        onIt.rsp = Self.altBase + 0x3000
        let f = try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack), registers: onIt, altStack: alt)
        #expect(f.address < onIt.rsp - 128 && alt.contains(f.address))
        // Near the bottom, the next frame does not fit: Linux gives up, SIGSEGV follows.
        onIt.rsp = Self.altBase + 1200
        #expect(throws: SignalFrame.Failure.altStackOverflow) {
            try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack), registers: onIt, altStack: alt)
        }
        // Even a handler without SA_ONSTACK, when the thread already runs there.
        #expect(throws: SignalFrame.Failure.altStackOverflow) { try Self.frame(registers: onIt, altStack: alt) }
    }

    @Test func anAutodisarmedStackIsEnteredAfresh() throws {
        // SS_AUTODISARM: a thread whose rsp strays onto the stack is not "on" it, so the
        // next SA_ONSTACK handler starts at its top again.
        let alt = SignalStack(base: Self.altBase, size: Self.altSize, flags: SignalStackFlag.autoDisarm)
        var onIt = Self.interrupted
        onIt.rsp = Self.altBase + 1200
        let f = try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack), registers: onIt, altStack: alt)
        #expect(Self.altBase + Self.altSize - f.fpStateAddress < 836 + 64)
        #expect(f.image.field(at: Offset.stackFlags, size: 4) == UInt64(SignalStackFlag.autoDisarm))
    }

    @Test func aMinimumAlternateStackOverflowsWithABigXSAVEArea() throws {
        // MINSIGSTKSZ predates AVX-512: its 2696-byte XSAVE area does not fit in 2048.
        let alt = SignalStack(base: Self.altBase, size: SignalStack.minimumSize, flags: 0)
        let avx512 = ExtendedStateLayout.xsave(features: 0xe7, size: 2696, mxcsrMask: 0xffff)
        #expect(throws: SignalFrame.Failure.altStackOverflow) {
            try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack), altStack: alt, layout: avx512,
                           fpState: [UInt8](repeating: 0, count: 2696))
        }
        _ = try Self.frame(Self.action(SignalActionFlag.restorer | SignalActionFlag.onStack), altStack: alt)
    }
}
