import Kernel

/// What mcexec does with one system call the LWK passed on: every x86-64 call has one
/// (`OffloadTable`), and a number without one is refused.
enum CallRule: Sendable {
    /// Performed, its arguments checked by these rules (missing ones are values).
    case allow([ArgumentRule])
    /// Performed when the command it carries is one mcexec passes on (fcntl, ioctl,
    /// prctl, …); the command's own rules then check the arguments after it.
    case commands(CommandTable)
    /// Not performed: ENOSYS, as for a call Linux does not have.
    case refuse(Refusal)
    /// Not performed: the program gets this value.
    case answer(Int64)
    /// kill-like: a signal the program sends itself goes to it on the LWK (the LWK
    /// serves one aimed at its own pid itself; kill(0) comes here); one to anybody else
    /// is sent. The indices say where the target and the signal are, and whether
    /// target 0 (the caller's process group) counts as itself.
    case signal(target: Int, signal: Int, zeroIsSelf: Bool)
    /// close_range(2): split around mcexec's own descriptors.
    case closeRange
    /// Performed on another process, the pid at index `target`, its arguments checked by
    /// these rules; never on mcexec itself or one of its threads (ENOSYS, as a call
    /// that would act on mcexec's own process).
    case otherProcess(target: Int, [ArgumentRule])
}

/// Why a call is not on the list, for the --verbose line and the README.
enum Refusal: String, Sendable, CaseIterable {
    case servedByLWK = "the LWK serves it; performed here it would act on mcexec's own process"
    case actsOnProxy = "it would act on mcexec's own process, not on the program"
    case hostAdministration = "it administers the Linux host, which a program on the LWK does not"
    case unchecked = "it leads Linux to memory mcexec cannot check"
    case obsolete = "Linux no longer provides it"
    case unneeded = "no program that runs on the LWK needs it"
}

/// A call whose argument `selector` picks what the others mean. The `prefix` rules
/// check the arguments up to and including the selector (a descriptor there is refused
/// before the command is looked at, as Linux does); the command's rules check the
/// arguments after the prefix.
struct CommandTable: Sendable {
    enum Selector: Sendable {
        /// The argument at this index, masked.
        case argument(Int, mask: UInt64)
        /// A socket option: the level (argument 1) and the name (argument 2).
        case socketOption
    }

    var prefix: [ArgumentRule]
    var selector: Selector
    var commands: [UInt64: [ArgumentRule]]
    /// What Linux answers for a command it does not know (EINVAL, ENOTTY, …), which is
    /// what the program gets for one mcexec does not pass on.
    var otherwise: Errno

    func command(_ arguments: [UInt64]) -> UInt64 {
        switch selector {
        case .argument(let index, let mask):
            return arguments[index] & mask
        case .socketOption:
            return Self.socketOption(level: arguments[1], name: arguments[2])
        }
    }

    /// Both ints, as one key.
    static func socketOption(level: UInt64, name: UInt64) -> UInt64 {
        (level & 0xffff_ffff) << 32 | (name & 0xffff_ffff)
    }
}
