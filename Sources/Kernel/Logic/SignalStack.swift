/// A thread's alternate signal stack, sigaltstack(2), as Linux keeps it (sas_ss_sp,
/// sas_ss_size, sas_ss_flags): [base, base + size), with the flags the program set.
/// Size 0 is disabled. Stacks grow down: a stack pointer in (base, base + size] is on it.
public struct SignalStack: Equatable, Sendable {
    public private(set) var base: UInt64 = 0
    public private(set) var size: UInt64 = 0
    /// ss_flags as the program passed them (SS_DISABLE initially), which the signal
    /// frame's uc_stack reports as they are. Linux's sas_ss_flags is inherited from
    /// the parent (fork and exec keep it): SS_DISABLE under the test guests' shells,
    /// 0 under some other init; the LWK does not see the parent's and says SS_DISABLE.
    public private(set) var flags: UInt32 = SignalStackFlag.disable

    /// A new thread's: disabled.
    public init() {}

    public init(base: UInt64, size: UInt64, flags: UInt32) {
        self.base = base
        self.size = size
        self.flags = flags
    }

    /// stack_t as a program passes and reads it: { void *ss_sp; int ss_flags; size_t ss_size; },
    /// three words with ss_flags in the low half of the second.
    public struct Setting: Equatable, Sendable {
        public var base: UInt64
        public var flags: UInt32
        public var size: UInt64

        public init(base: UInt64, flags: UInt32, size: UInt64) {
            self.base = base
            self.flags = flags
            self.size = size
        }

        public static let words = 3

        public init(words: [UInt64]) {
            self.init(base: words[0], flags: UInt32(truncatingIfNeeded: words[1]), size: words[2])
        }

        public var words: [UInt64] { [base, UInt64(flags), size] }
    }

    /// __on_sig_stack: whether `stackPointer` lies on the alternate stack.
    public func contains(_ stackPointer: UInt64) -> Bool {
        stackPointer > base && stackPointer - base <= size
    }

    /// on_sig_stack: whether the thread runs on the alternate stack at `stackPointer`.
    /// Never with SS_AUTODISARM: the stack is disarmed while a handler uses it, so a
    /// stack pointer that strays there is not taken for a nested handler.
    public func isInUse(at stackPointer: UInt64) -> Bool {
        flags & SignalStackFlag.autoDisarm == 0 && contains(stackPointer)
    }

    /// sas_ss_flags: SS_DISABLE, SS_ONSTACK while in use, else 0 (a handler with
    /// SA_ONSTACK may switch to it).
    public func state(at stackPointer: UInt64) -> UInt32 {
        if size == 0 { return SignalStackFlag.disable }
        return isInUse(at: stackPointer) ? SignalStackFlag.onStack : 0
    }

    /// What sigaltstack returns as the old stack, the thread being at `stackPointer`.
    public func setting(at stackPointer: UInt64) -> Setting {
        Setting(base: base, flags: state(at: stackPointer) | flags & SignalStackFlag.modifiers, size: size)
    }

    /// sigaltstack with a new stack, the thread being at `stackPointer`: EPERM while the
    /// thread runs on the current one, EINVAL for an unknown mode, ENOMEM below
    /// MINSIGSTKSZ (`minimumSize`, the architecture's); nothing changes on an error. SS_DISABLE forgets base and size.
    public mutating func change(to new: Setting, at stackPointer: UInt64) -> Errno? {
        if isInUse(at: stackPointer) { return .perm }
        let mode = new.flags & ~SignalStackFlag.modifiers
        guard mode == 0 || mode == SignalStackFlag.onStack || mode == SignalStackFlag.disable else { return .inval }
        if mode == SignalStackFlag.disable {
            self = SignalStack(base: 0, size: 0, flags: new.flags)
            return nil
        }
        guard new.size >= Self.minimumSize else { return .noMem }
        self = SignalStack(base: new.base, size: new.size, flags: new.flags)
        return nil
    }

    /// After a handler's frame is set up: SS_AUTODISARM disables the stack until the
    /// handler's rt_sigreturn restores it from the frame.
    public mutating func disarmIfAutomatic() {
        if flags & SignalStackFlag.autoDisarm != 0 { self = SignalStack() }
    }
}
