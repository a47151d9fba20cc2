import Testing
@testable import Kernel

/// sigaltstack(2) as Linux answers it.
@Suite struct SignalStackTests {
    typealias F = SignalStackFlag
    static let base: UInt64 = 0x7000_0000, size: UInt64 = 0x2000
    static let elsewhere: UInt64 = 0x7fff_0000_0000

    @Test func aNewThreadHasNone() {
        let stack = SignalStack()
        #expect(stack.state(at: Self.elsewhere) == F.disable)
        #expect(stack.setting(at: Self.elsewhere) == SignalStack.Setting(base: 0, flags: F.disable, size: 0))
        #expect(!stack.isInUse(at: 0) && !stack.contains(0))
    }

    @Test func setReportAndUse() {
        var stack = SignalStack()
        #expect(stack.change(to: .init(base: Self.base, flags: 0, size: Self.size), at: Self.elsewhere) == nil)
        #expect(stack.setting(at: Self.elsewhere) == .init(base: Self.base, flags: 0, size: Self.size))
        #expect(stack.state(at: Self.base + Self.size) == F.onStack, "the top itself is on it (stacks grow down)")
        #expect(stack.state(at: Self.base) == 0 && stack.state(at: Self.base + Self.size + 1) == 0)
        #expect(stack.setting(at: Self.base + 16).flags == F.onStack)
        // SS_ONSTACK as the mode is accepted, and kept as given.
        #expect(stack.change(to: .init(base: Self.base, flags: F.onStack, size: Self.size), at: Self.elsewhere) == nil)
        #expect(stack.flags == F.onStack && stack.setting(at: Self.elsewhere).flags == 0)
    }

    @Test func refusals() {
        var stack = SignalStack(base: Self.base, size: Self.size, flags: 0)
        let before = stack
        #expect(stack.change(to: .init(base: 0x1000, flags: 0, size: 0x4000), at: Self.base + 64) == .perm, "while running on it")
        #expect(stack.change(to: .init(base: 0x1000, flags: 4, size: 0x4000), at: Self.elsewhere) == .inval)
        #expect(stack.change(to: .init(base: 0x1000, flags: 0, size: SignalStack.minimumSize - 1), at: Self.elsewhere) == .noMem)
        #expect(stack == before)
        #expect(stack.change(to: .init(base: 0x1000, flags: 0, size: SignalStack.minimumSize), at: Self.elsewhere) == nil)
    }

    @Test func disableForgetsTheStack() {
        var stack = SignalStack(base: Self.base, size: Self.size, flags: 0)
        #expect(stack.change(to: .init(base: 0x1234, flags: F.disable, size: 1), at: Self.elsewhere) == nil)
        #expect(stack == SignalStack(), "any size is fine when disabling")
    }

    @Test func autodisarm() {
        var stack = SignalStack()
        let setting = SignalStack.Setting(base: Self.base, flags: F.autoDisarm, size: Self.size)
        #expect(stack.change(to: setting, at: Self.elsewhere) == nil)
        #expect(!stack.isInUse(at: Self.base + 64) && stack.contains(Self.base + 64))
        #expect(stack.setting(at: Self.base + 64).flags == F.autoDisarm, "never SS_ONSTACK")
        // A handler on it may replace it (no EPERM).
        #expect(stack.change(to: setting, at: Self.base + 64) == nil)
        stack.disarmIfAutomatic()
        #expect(stack == SignalStack())
        var plain = SignalStack(base: Self.base, size: Self.size, flags: 0)
        plain.disarmIfAutomatic()
        #expect(plain == SignalStack(base: Self.base, size: Self.size, flags: 0))
    }

    @Test func stackTWords() {
        let setting = SignalStack.Setting(base: Self.base, flags: F.autoDisarm | F.onStack, size: Self.size)
        #expect(setting.words == [Self.base, 0x8000_0001, Self.size])
        #expect(SignalStack.Setting(words: [Self.base, 0xdead_beef_8000_0001, Self.size]) == setting, "the int and its padding")
    }
}
