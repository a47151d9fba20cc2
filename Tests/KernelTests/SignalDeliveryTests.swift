import Testing
@testable import Kernel

@Suite struct SignalDeliveryTests {
    typealias S = SignalDelivery
    static let sigint: UInt32 = 2, sigusr1: UInt32 = 10, sigterm: UInt32 = 15, sigchld: UInt32 = 17, sigtstp: UInt32 = 20
    static let handler: UInt64 = 0x40_1000

    @Test func defaultActionsAsOnLinux() {
        #expect(S.outcome(signal: Self.sigterm, handler: S.defaultHandler, blocked: 0) == .end)
        #expect(S.outcome(signal: Self.sigchld, handler: S.defaultHandler, blocked: 0) == .ignore)
        for ignored: UInt32 in [17, 18, 23, 28] { #expect(S.outcome(signal: ignored, handler: S.defaultHandler, blocked: 0) == .ignore) }
        #expect(S.outcome(signal: Self.sigtstp, handler: S.defaultHandler, blocked: 0) == .stop, "job control")
        #expect(S.outcome(signal: Self.sigtstp, handler: S.defaultHandler, blocked: Signal.bit(Self.sigtstp)) == .hold)
        #expect(S.outcome(signal: 64, handler: S.defaultHandler, blocked: 0) == .end, "real-time signals terminate")
    }

    @Test func ignoredBlockedAndHandled() {
        #expect(S.outcome(signal: Self.sigint, handler: S.ignoreHandler, blocked: 0) == .ignore)
        #expect(S.outcome(signal: Self.sigint, handler: S.defaultHandler, blocked: Signal.bit(Self.sigint)) == .hold)
        #expect(S.outcome(signal: Self.sigint, handler: S.ignoreHandler, blocked: Signal.bit(Self.sigint)) == .hold, "blocked first, as Linux queues it")
        #expect(S.outcome(signal: Self.sigint, handler: S.defaultHandler, blocked: Signal.bit(Self.sigterm)) == .end, "another signal's bit")
        #expect(S.outcome(signal: Self.sigusr1, handler: Self.handler, blocked: 0) == .handle, "its handler runs")
        #expect(S.outcome(signal: Self.sigusr1, handler: Self.handler, blocked: Signal.bit(Self.sigusr1)) == .hold)
        #expect(S.outcome(signal: Self.sigtstp, handler: Self.handler, blocked: 0) == .handle, "a stop signal's handler runs")
        #expect(S.outcome(signal: Self.sigchld, handler: Self.handler, blocked: 0) == .handle, "a handler runs even where the default ignores")
    }

    @Test func killAndAGoneProxyAlwaysEnd() {
        #expect(S.outcome(signal: Signal.kill, handler: S.ignoreHandler, blocked: .max) == .end)
        #expect(S.outcome(signal: Self.sigint, handler: S.ignoreHandler, blocked: .max, proxyGone: true) == .end)
        #expect(S.outcome(signal: Signal.stop, handler: S.defaultHandler, blocked: .max) == .stop, "never held")
    }

    @Test func pendingSignalsComeOutLowestFirstWhenUnblocked() {
        let pending = Signal.bit(Self.sigterm) | Signal.bit(Self.sigint) | Signal.bit(64)
        #expect(Signal.bit(1) == 1 && Signal.bit(64) == 1 << 63)
        #expect(Signal.bit(0) == 0 && Signal.bit(65) == 0 && Signal.bit(.max) == 0, "not a signal: no bit, and no trap")
        #expect(S.deliverable(pending: pending, blocked: pending) == nil)
        #expect(S.deliverable(pending: pending, blocked: Signal.bit(Self.sigint)) == Self.sigterm)
        #expect(S.deliverable(pending: pending, blocked: 0) == Self.sigint)
        #expect(S.deliverable(pending: Signal.bit(64), blocked: 0) == 64)
        #expect(S.deliverable(pending: 0, blocked: 0) == nil)
    }
}
