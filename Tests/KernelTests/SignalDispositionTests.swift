import Testing
@testable import Kernel

/// What Linux does with a signal's action: defaults, SA_* flags, forced faults.
@Suite struct SignalDispositionTests {
    typealias D = SignalDisposition
    typealias A = SignalActionFlag
    static let handler = D(handler: 0x40_1000, flags: A.restorer, restorer: 0x40_2000, mask: Signal.bit(Signal.usr2))

    /// signal(7)'s table of default actions.
    @Test func defaultActions() {
        let core: [UInt32] = [Signal.quit, Signal.ill, Signal.trap, Signal.abrt, Signal.bus, Signal.fpe, Signal.segv, Signal.xcpu,
                              Signal.xfsz, Signal.sys]
        let terminate: [UInt32] = [Signal.hup, Signal.int, Signal.kill, Signal.usr1, Signal.usr2, Signal.pipe, Signal.alrm, Signal.term,
                                   Signal.stkflt, Signal.vtalrm, Signal.prof, Signal.io, Signal.pwr, 32, 34, 64]
        for signal in core { #expect(Signal.defaultAction(signal) == .coreDump, "\(signal)") }
        for signal in terminate { #expect(Signal.defaultAction(signal) == .terminate, "\(signal)") }
        for signal in [Signal.chld, Signal.urg, Signal.winch] { #expect(Signal.defaultAction(signal) == .ignore) }
        for signal in [Signal.stop, Signal.tstp, Signal.ttin, Signal.ttou] { #expect(Signal.defaultAction(signal) == .stop) }
        #expect(Signal.defaultAction(Signal.cont) == .continue)
        #expect(Signal.unblockable == 1 << 8 | 1 << 18)
    }

    @Test func rtSigactionKeepsWhatLinuxKnows() {
        let requested = D.requested(words: [0x40_1000, A.siginfo | A.restorer | A.unsupported | 0x0100_0000, 0x40_2000, .max])
        #expect(requested.flags == A.siginfo | A.restorer, "SA_UNSUPPORTED and unknown bits read back as clear")
        #expect(requested.mask == ~Signal.unblockable)
        #expect(requested.words == [0x40_1000, A.siginfo | A.restorer, 0x40_2000, ~Signal.unblockable])
        #expect(D(words: requested.words) == requested)
    }

    /// SIGCHLD's action decides whether a child is reaped as it ends (do_notify_parent):
    /// SIG_IGN or SA_NOCLDWAIT, not SIG_DFL although SIGCHLD is ignored by default.
    @Test func childrenAreReapedWhenSIGCHLDIsIgnoredOrNoCldWait() {
        #expect(D(handler: D.ignoreHandler).reapsChildren)
        #expect(D(handler: 0x40_1000, flags: A.noChildWait | A.restorer).reapsChildren)
        #expect(D(handler: D.defaultHandler, flags: A.noChildWait).reapsChildren)
        #expect(!D.default.reapsChildren)
        #expect(!Self.handler.reapsChildren)
        #expect(!D(handler: 0x40_1000, flags: A.noChildStop).reapsChildren)
    }

    @Test func deliveryAsGetSignalDecides() {
        #expect(D.default.delivery(of: Signal.term) == .end(coreDump: false))
        #expect(D.default.delivery(of: Signal.segv) == .end(coreDump: true))
        #expect(D.default.delivery(of: Signal.chld) == .ignore && D.default.delivery(of: Signal.cont) == .ignore)
        #expect(D.default.delivery(of: Signal.tstp) == .stop)
        #expect(D.default.delivery(of: Signal.tstp, orphanedProcessGroup: true) == .ignore)
        #expect(D.default.delivery(of: Signal.stop, orphanedProcessGroup: true) == .stop)
        let ignored = D(handler: D.ignoreHandler)
        #expect(ignored.delivery(of: Signal.term) == .ignore)
        #expect(Self.handler.delivery(of: Signal.term) == .handler && Self.handler.delivery(of: Signal.cont) == .handler)
        // SIGKILL and SIGSTOP whatever was recorded (rt_sigaction refuses to change them).
        #expect(Self.handler.delivery(of: Signal.kill) == .end(coreDump: false) && ignored.delivery(of: Signal.stop) == .stop)
    }

    @Test func ignoredSignalsAreDroppedWhenSentUnlessBlocked() {
        #expect(D.default.discards(Signal.chld, blocked: 0) && D.default.discards(Signal.winch, blocked: 0))
        #expect(!D.default.discards(Signal.chld, blocked: Signal.bit(Signal.chld)))
        #expect(D(handler: D.ignoreHandler).discards(Signal.term, blocked: 0))
        #expect(!D.default.discards(Signal.term, blocked: 0) && !Self.handler.discards(Signal.chld, blocked: 0))
        #expect(!D(handler: D.ignoreHandler).discards(Signal.kill, blocked: 0))
        #expect(D.default.ignores(Signal.cont) && !D.default.ignores(Signal.stop))
    }

    @Test func theMaskWhileTheHandlerRuns() {
        let blocked = Signal.bit(Signal.hup) | Signal.unblockable
        #expect(Self.handler.handlerMask(for: Signal.usr1, blocked: blocked)
                == Signal.bit(Signal.hup) | Signal.bit(Signal.usr2) | Signal.bit(Signal.usr1))
        var noDefer = Self.handler
        noDefer.flags |= A.noDefer
        #expect(noDefer.handlerMask(for: Signal.usr1, blocked: 0) == Signal.bit(Signal.usr2), "SA_NODEFER: the signal itself stays open")
        noDefer.mask |= Signal.bit(Signal.usr1)
        #expect(noDefer.handlerMask(for: Signal.usr1, blocked: 0) & Signal.bit(Signal.usr1) != 0, "unless sa_mask names it")
    }

    @Test func resetHandler() {
        #expect(Self.handler.afterDelivery == Self.handler)
        var oneShot = Self.handler
        oneShot.flags |= A.resetHandler | A.siginfo
        let after = oneShot.afterDelivery
        #expect(after.isDefault && after.flags == oneShot.flags && after.mask == oneShot.mask)
    }

    @Test func aFaultCannotBeBlockedOrIgnored() {
        let segv = Signal.bit(Signal.segv)
        let blockedHandler = D.force(Signal.segv, action: Self.handler, blocked: segv | Signal.bit(Signal.hup))
        #expect(blockedHandler == D.Forced(action: D(handler: D.defaultHandler, flags: A.restorer, restorer: 0x40_2000, mask: Signal.bit(Signal.usr2)),
                                           blocked: Signal.bit(Signal.hup)))
        let ignored = D.force(Signal.fpe, action: D(handler: D.ignoreHandler), blocked: 0)
        #expect(ignored.action.isDefault && ignored.blocked == 0)
        let handled = D.force(Signal.segv, action: Self.handler, blocked: Signal.bit(Signal.hup))
        #expect(handled == D.Forced(action: Self.handler, blocked: Signal.bit(Signal.hup)), "a handler that can run, runs")
        let fatal = D.force(Signal.segv, action: Self.handler, blocked: 0, fatal: true)
        #expect(fatal.action.isDefault)
    }

    @Test func aFrameThatCannotBeWritten() {
        // For another signal: SIGSEGV, which a SIGSEGV handler may catch.
        #expect(D.frameFailure(Signal.usr1, segvAction: Self.handler, blocked: 0) == D.Forced(action: Self.handler, blocked: 0))
        // For SIGSEGV itself: the process ends.
        #expect(D.frameFailure(Signal.segv, segvAction: Self.handler, blocked: 0).action.isDefault)
        #expect(D.frameFailure(Signal.usr1, segvAction: Self.handler, blocked: Signal.bit(Signal.segv)).action.isDefault)
    }

    @Test func stopAndContinueCancelEachOther() {
        #expect(D.cancelledBySending(Signal.tstp) == Signal.bit(Signal.cont))
        #expect(D.cancelledBySending(Signal.stop) == Signal.bit(Signal.cont))
        #expect(D.cancelledBySending(Signal.cont)
                == Signal.bit(Signal.stop) | Signal.bit(Signal.tstp) | Signal.bit(Signal.ttin) | Signal.bit(Signal.ttou))
        #expect(D.cancelledBySending(Signal.term) == 0)
    }
}
