import Testing
@testable import Kernel

/// rt_sigreturn takes back what the frame saved, sanitised as Linux does, and calls a
/// frame it cannot take a bad frame.
@Suite struct SignalReturnTests {
    typealias Offset = SignalFrame.Offset
    typealias L = ExtendedStateLayout
    static let layout = SignalFrameTests.layout

    /// A handler's frame in memory, and the registers rt_sigreturn is called with once
    /// the handler has returned (its ret popped pretcode) and the restorer made the call.
    struct Delivered {
        var memory: MappedMemory
        var frame: SignalFrame
        var atReturn: UserRegisters

        mutating func poke(_ value: UInt64, at offset: Int, size: Int = 8) {
            var bytes = [UInt8](repeating: 0, count: size)
            bytes.setField(value, at: 0, size: size)
            _ = memory.write(bytes, at: frame.address + UInt64(offset))
        }

        mutating func pokeFP(_ value: UInt64, at offset: Int, size: Int = 8) {
            var bytes = [UInt8](repeating: 0, count: size)
            bytes.setField(value, at: 0, size: size)
            _ = memory.write(bytes, at: frame.fpStateAddress + UInt64(offset))
        }

        func sigreturn(altStack: SignalStack = SignalStack(), layout: ExtendedStateLayout = SignalReturnTests.layout) -> SignalReturn {
            SignalReturn(current: atReturn, altStack: altStack, layout: layout, memory: memory)
        }
    }

    static func deliver(_ interrupted: UserRegisters = SignalFrameTests.interrupted, action: SignalDisposition = SignalFrameTests.action(),
                        altStack: SignalStack = SignalStack(), layout: ExtendedStateLayout = layout,
                        fpState: [UInt8] = SignalFrameTests.fpState) throws -> Delivered {
        let frame = try SignalFrameTests.frame(action, registers: interrupted, altStack: altStack, layout: layout, fpState: fpState)
        var memory = MappedMemory(base: SignalFrameTests.stackBase, size: 0x10_0000)
        #expect(memory.write(frame.image, at: frame.address) && memory.write(frame.fpStateImage, at: frame.fpStateAddress))
        var atReturn = frame.handlerRegisters
        atReturn.rsp = frame.address + 8
        atReturn.rip = SignalFrameTests.restorer + 9
        atReturn.rax = UInt64(Syscall.rtSigreturn.rawValue)
        atReturn.rflags = 0x246
        atReturn.rcx = atReturn.rip  // as SYSCALL leaves them
        atReturn.r11 = atReturn.rflags
        return Delivered(memory: memory, frame: frame, atReturn: atReturn)
    }

    @Test func everythingComesBack() throws {
        let d = try Self.deliver()
        let back = d.sigreturn()
        var expected = SignalFrameTests.interrupted
        // TF, DF, RF, ZF from the frame (FIX_EFLAGS), IF as the call had it.
        expected.rflags = RFlags.reserved | RFlags.interrupt | RFlags.zero | RFlags.direction | RFlags.trap | RFlags.resume
        #expect(back.registers == expected)
        #expect(back.blocked == Signal.bit(Signal.term))
        #expect(back.altStack == SignalStack())
        #expect(back.extendedState == .area(Array(d.frame.fpStateImage[0..<832])))
        #expect(back.ending == .iret, "TF and RF need IRET; and rcx, r11 are not rip, rflags")
    }

    @Test func sysretWhenNothingIsLost() throws {
        var interrupted = SignalFrameTests.interrupted
        interrupted.rflags = 0x246
        interrupted.rcx = interrupted.rip
        interrupted.r11 = 0x246
        #expect(try Self.deliver(interrupted).sigreturn().ending == .sysret)
        interrupted.rcx = 0
        #expect(try Self.deliver(interrupted).sigreturn().ending == .iret, "rcx would be lost")
        interrupted.rcx = interrupted.rip
        interrupted.r11 = 0
        #expect(try Self.deliver(interrupted).sigreturn().ending == .iret, "r11 would be lost")
    }

    @Test func whatAHandlerMayChangeAndWhatItMayNot() throws {
        var d = try Self.deliver()
        d.poke(0x40_9999, at: Offset.registers + 8 * 16)  // rip: a handler may skip the faulting instruction
        d.poke(0x42, at: Offset.registers + 8 * 13)  // rax
        let hostile = RFlags.ioPrivilege | RFlags.nestedTask | RFlags.virtual8086 | RFlags.virtualInterrupt | RFlags.carry
        d.poke(hostile, at: Offset.registers + 8 * 17)  // eflags, IF clear
        d.poke(Signal.unblockable | Signal.bit(Signal.usr1), at: Offset.sigmask)
        let back = d.sigreturn()
        #expect(back.registers.rip == 0x40_9999 && back.registers.rax == 0x42)
        #expect(back.registers.rflags == RFlags.reserved | RFlags.interrupt | RFlags.carry)
        #expect(back.registers.cs == 0x2b && back.registers.ss == 0x23)
        #expect(back.blocked == Signal.bit(Signal.usr1))
        #expect(back.ending == .iret)
    }

    @Test func aSelectorOtherThanTheUserOnesFaults() throws {
        var d = try Self.deliver()
        d.poke(0x28, at: Offset.cs, size: 2)  // RPL 0 of the user code: made 3, as Linux does
        #expect(d.sigreturn().ending == .iret)
        d.poke(0x08, at: Offset.cs, size: 2)  // kernel code
        let back = d.sigreturn()
        #expect(back.ending == .generalProtection, "Linux's IRET faults: SIGSEGV")
        #expect(back.registers.cs == 0x2b && back.registers.ss == 0x23, "never a selector IRET would fault on")
        d.poke(0x2b, at: Offset.cs, size: 2)
        d.poke(0x10, at: Offset.ss, size: 2)
        #expect(d.sigreturn().ending == .generalProtection, "UC_STRICT_RESTORE_SS: the frame's ss is taken")
        d.poke(SignalFrame.ContextFlag.sigcontextSS, at: Offset.flags)
        #expect(d.sigreturn().ending == .iret, "without it Linux forces a valid ss")
    }

    @Test func aNonCanonicalRipFaultsInsteadOfReturning() throws {
        var d = try Self.deliver()
        d.poke(0x0000_8000_0000_0000, at: Offset.registers + 8 * 16)
        #expect(d.sigreturn().ending == .generalProtection)
        d.poke(0xffff_8000_0000_0000, at: Offset.registers + 8 * 16)
        #expect(d.sigreturn().ending == .iret, "canonical: IRET goes there, and the program faults in user mode")
        d.poke(VirtualAddress.userLimit, at: Offset.registers + 8 * 16)
        d.poke(VirtualAddress.userLimit, at: Offset.registers + 8 * 14)  // rcx
        d.poke(0x246, at: Offset.registers + 8 * 17)
        d.poke(0x246, at: Offset.registers + 8 * 3)  // r11
        #expect(d.sigreturn().ending == .iret, "SYSRET only below TASK_SIZE_MAX")
        d.poke(VirtualAddress.userLimit - 1, at: Offset.registers + 8 * 16)
        d.poke(VirtualAddress.userLimit - 1, at: Offset.registers + 8 * 14)
        #expect(d.sigreturn().ending == .sysret)
    }

    @Test func anUnreadableFrameChangesNothing() throws {
        var d = try Self.deliver()
        d.atReturn.rsp = 0x1000
        let back = d.sigreturn()
        #expect(back.ending == .badFrame && back.blocked == nil && back.extendedState == nil)
        #expect(back.registers == d.atReturn)
    }

    @Test func theAlternateStackComesBack() throws {
        let alt = SignalStack(base: SignalFrameTests.altBase, size: SignalFrameTests.altSize, flags: SignalStackFlag.autoDisarm)
        let d = try Self.deliver(action: SignalFrameTests.action(SignalActionFlag.restorer | SignalActionFlag.onStack), altStack: alt)
        var disarmed = alt
        disarmed.disarmIfAutomatic()
        #expect(disarmed == SignalStack())
        #expect(d.sigreturn(altStack: disarmed).altStack == alt, "SS_AUTODISARM: re-armed from uc_stack")
        // Without SS_AUTODISARM the handler runs on the stack, sigaltstack says EPERM, and
        // rt_sigreturn ignores it: the stack stays as it is.
        let plain = SignalStack(base: SignalFrameTests.altBase, size: SignalFrameTests.altSize, flags: 0)
        var e = try Self.deliver(action: SignalFrameTests.action(SignalActionFlag.restorer | SignalActionFlag.onStack), altStack: plain)
        e.poke(0, at: Offset.stackSize)
        #expect(e.sigreturn(altStack: plain).altStack == plain)
    }

    // MARK: - The FP state

    @Test func noFPStateMeansTheInitialOne() throws {
        var d = try Self.deliver()
        d.poke(0, at: Offset.fpState)
        let back = d.sigreturn()
        #expect(back.extendedState == .initial && back.ending == .iret)
    }

    @Test func withoutMagic2OnlyTheLegacyRegion() throws {
        var d = try Self.deliver()
        d.pokeFP(0, at: 832, size: 4)
        guard case .area(let area) = d.sigreturn().extendedState else { Issue.record("not restored"); return }
        #expect(Array(area[0..<512]) == Array(d.frame.fpStateImage[0..<512]))
        #expect(area.word(at: L.xstateBVOffset) == 0b11 && area[520...].allSatisfy { $0 == 0 }, "AVX to its initial state")
        // A wrong xstate_size or extended_size too.
        var e = try Self.deliver()
        e.pokeFP(UInt64(Self.layout.size + 64), at: L.xstateSizeOffset, size: 4)
        guard case .area(let legacy) = e.sigreturn().extendedState else { Issue.record("not restored"); return }
        #expect(legacy.word(at: L.xstateBVOffset) == 0b11)
        var f = try Self.deliver()
        f.pokeFP(800, at: L.extendedSizeOffset, size: 4)
        guard case .area(let legacy2) = f.sigreturn().extendedState else { Issue.record("not restored"); return }
        #expect(legacy2.word(at: L.xstateBVOffset) == 0b11)
    }

    @Test func aSmallerXstateSizeReadsThePastAsInitial() throws {
        var d = try Self.deliver()
        d.pokeFP(576, at: L.xstateSizeOffset, size: 4)
        d.pokeFP(UInt64(L.magic2), at: 576, size: 4)
        d.pokeFP(0b011, at: L.xfeaturesOffset)
        guard case .area(let area) = d.sigreturn().extendedState else { Issue.record("not restored"); return }
        #expect(area.count == 832 && area[576...].allSatisfy { $0 == 0 })
        #expect(area.word(at: L.xstateBVOffset) == 0b011)
    }

    @Test func componentsSwBytesLeaveOutAreInitial() throws {
        var d = try Self.deliver()
        d.pokeFP(0b001, at: L.xfeaturesOffset)  // x87 only
        d.pokeFP(0x1f80 | 0x40, at: L.mxcsrOffset, size: 4)  // reserved under 0xffbf, but SSE is not restored
        guard case .area(let area) = d.sigreturn().extendedState else { Issue.record("not restored"); return }
        #expect(area.word(at: L.xstateBVOffset) == 0b001)
        #expect(area.field(at: L.mxcsrOffset, size: 4) == 0x1f80, "MXCSR to its initial value with SSE")
    }

    @Test func whatXRSTORWouldFaultOnIsABadFrame() throws {
        var badMXCSR = try Self.deliver()
        badMXCSR.pokeFP(0x1f80 | 0x40, at: L.mxcsrOffset, size: 4)
        var badFeature = try Self.deliver()
        badFeature.pokeFP(0b1101, at: L.xstateBVOffset)
        var compacted = try Self.deliver()
        compacted.pokeFP(1 << 63 | 0b111, at: L.xcompBVOffset)
        var reserved = try Self.deliver()
        reserved.pokeFP(1, at: L.xstateBVOffset + 40)
        var misaligned = try Self.deliver()
        misaligned.poke(misaligned.frame.fpStateAddress + 8, at: Offset.fpState)
        var unreadable = try Self.deliver()
        unreadable.poke(0x1000, at: Offset.fpState)
        for d in [badMXCSR, badFeature, compacted, reserved, misaligned, unreadable] {
            let back = d.sigreturn()
            #expect(back.extendedState == .invalid && back.ending == .badFrame)
            #expect(back.blocked == Signal.bit(Signal.term), "the mask is set before the state is looked at")
        }
    }

    @Test func theLegacyRegionAloneNeedsOnly16ByteAlignment() throws {
        var d = try Self.deliver()
        let moved = d.frame.fpStateAddress - 16
        _ = d.memory.write(Array(d.frame.fpStateImage[0..<464]) + [UInt8](repeating: 0, count: 48), at: moved)
        d.poke(moved, at: Offset.fpState)
        guard case .area(let area) = d.sigreturn().extendedState else { Issue.record("not restored"); return }
        #expect(area.word(at: L.xstateBVOffset) == 0b11)
    }

    @Test func withoutXSAVEThe512Bytes() throws {
        let legacy = ExtendedStateLayout.fxsave(mxcsrMask: 0xffbf)
        var state = [UInt8](repeating: 0x22, count: 512)
        state.setField(0x1f80, at: L.mxcsrOffset, size: 4)
        let d = try Self.deliver(layout: legacy, fpState: state)
        #expect(d.sigreturn(layout: legacy).extendedState == .area(d.frame.fpStateImage))
    }
}
