import Glibc
import Kernel

/// What mcexec does with a system call the LWK offloaded to it.
enum SyscallAction: Equatable, Sendable {
    /// Hand it to Linux as prepared (checked arguments, copies) and return what the
    /// kernel returned.
    case perform(PreparedCall)
    /// Return -errno without doing anything.
    case refuse(Errno, Reason)
    /// Return this value without doing anything.
    case answer(Int64)
    /// The program signals itself (kill(0), or kill/tgkill to its own pid where the LWK
    /// did not take it itself): the signal goes to it on the LWK (PROC_KILL), whose
    /// action and mask decide. Returns 0 to the program.
    case killProgram(signal: Int32)
    /// The LWK stops the program (a stop signal with its default action): it asks with
    /// a stop signal to the program's own pid, which the program's own kill never sends
    /// here (the LWK serves those). mcexec stops itself by that signal, as the program
    /// would natively, so the shell sees the job stopped; SIGCONT resumes it, and the
    /// answer 0 lets the program go on.
    case stopProxy(signal: Int32)
    /// close_range(2) split around mcexec's own descriptors: close these ranges instead.
    case closeRanges([ClosedRange<UInt32>], flags: UInt32)

    enum Reason: Equatable, Sendable {
        /// A number Linux does not define for x86-64 (as far as mcexec knows).
        case unknownCall
        /// The call is not on the list, for this reason.
        case call(Refusal)
        /// Its arguments are not passed on.
        case arguments(Rejection.Reason)
        /// A signal number Linux does not have.
        case signal
    }

    /// The errno of a refusal, nil for anything else.
    var refusal: Errno? {
        if case .refuse(let errno, _) = self { return errno }
        return nil
    }

    var isPerformed: Bool {
        if case .perform = self { return true }
        return false
    }
}

/// mcexec's rules for the calls it performs for the program: a value, the same for
/// every proxy thread, that decides from the call, its arguments and (for structures
/// that hold pointers) the program's memory. The list is `OffloadTable`.
struct SyscallPolicy: Sendable {
    /// mcexec's own descriptors (its /dev/mcosN file, …), which the program must not touch.
    let ownDescriptors: Set<Int32>
    /// mcexec's pid, which is also the program's (getpid on the LWK answers it).
    let pid: Int32

    init(ownDescriptors: Set<Int32>, pid: Int32) {
        self.ownDescriptors = ownDescriptors
        self.pid = pid
    }

    func decide(number: UInt32, arguments: [UInt64], memory: some ProgramMemory) -> SyscallAction {
        guard let call = Syscall(rawValue: number) else { return .refuse(.noSys, .unknownCall) }
        guard let rule = OffloadTable.rules[call] else { return .refuse(.noSys, .unknownCall) }
        var check = ArgumentCheck(number: number, arguments: arguments, ownDescriptors: ownDescriptors, memory: memory)
        do throws(Rejection) {
            switch rule {
            case .allow(let rules):
                try check.apply(rules)
            case .commands(let table):
                try check.apply(table.prefix)
                let command = table.command(arguments)
                guard let rules = table.commands[command] else {
                    return .refuse(table.otherwise, .arguments(.command(command)))
                }
                try check.apply(rules, from: table.prefix.count)
            case .refuse(let refusal):
                return .refuse(.noSys, .call(refusal))
            case .answer(let value):
                return .answer(value)
            case .signal(let target, let signal, let zeroIsSelf):
                let to = Int32(truncatingIfNeeded: arguments[target])
                if to == pid || (zeroIsSelf && to == 0) {
                    let number = Int32(truncatingIfNeeded: arguments[signal])
                    if to == pid, number > 0, Signal.isValid(UInt64(number)), Signal.defaultAction(UInt32(number)) == .stop {
                        return .stopProxy(signal: number)
                    }
                    return signalSelf(number)
                }
            case .otherProcess(let target, let rules):
                guard !isOwn(process: Int32(truncatingIfNeeded: arguments[target])) else { return .refuse(.noSys, .call(.actsOnProxy)) }
                try check.apply(rules)
            case .closeRange:
                return closeRange(first: UInt32(truncatingIfNeeded: arguments[0]), last: UInt32(truncatingIfNeeded: arguments[1]),
                                  flags: UInt32(truncatingIfNeeded: arguments[2]))
            }
        } catch {
            return .refuse(error.errno, .arguments(error.reason))
        }
        var prepared = check.call
        prepared.opensByPath = OffloadTable.opensByPath.contains(call)
        return .perform(prepared)
    }

    /// Whether `target` is mcexec's pid or one of its threads' tids (which are the
    /// program's threads' too), as Linux would read the pid: an int.
    func isOwn(process target: Int32) -> Bool {
        target == pid || (target > 0 && access("/proc/self/task/\(target)", F_OK) == 0)
    }

    private func signalSelf(_ signal: Int32) -> SyscallAction {
        if signal == 0 { return .answer(0) }  // existence check
        // Kernel.Signal: the LWK's numbers; mcexec's own Signal words them for people.
        guard signal > 0, Signal.isValid(UInt64(signal)) else { return .refuse(.inval, .signal) }
        return .killProgram(signal: signal)
    }

    /// close_range(first, last): the same ranges without mcexec's descriptors.
    func closeRange(first: UInt32, last: UInt32, flags: UInt32) -> SyscallAction {
        guard first <= last else { return .refuse(.inval, .arguments(.count(argument: 1))) }
        let own = ownDescriptors.filter { $0 >= 0 }.map { UInt32($0) }.filter { (first...last).contains($0) }.sorted()
        if own.isEmpty {
            return .perform(PreparedCall(number: Syscall.closeRange.rawValue, arguments: [UInt64(first), UInt64(last), UInt64(flags), 0, 0, 0]))
        }
        var ranges: [ClosedRange<UInt32>] = []
        var low = UInt64(first)
        for fd in own {
            if UInt64(fd) > low { ranges.append(UInt32(low)...(fd - 1)) }
            low = UInt64(fd) + 1
        }
        if low <= UInt64(last) { ranges.append(UInt32(low)...last) }
        return .closeRanges(ranges, flags: flags)
    }
}

extension SyscallAction.Reason: CustomStringConvertible {
    /// For mcexec --verbose.
    var description: String {
        switch self {
        case .unknownCall: return "not a system call mcexec knows"
        case .call(let refusal): return refusal.rawValue
        case .arguments(.outsideProgram(let index)): return "argument \(index + 1) leads outside the program's memory"
        case .arguments(.ownDescriptor(let index)): return "argument \(index + 1) is mcexec's own descriptor"
        case .arguments(.command(let command)): return "command 0x\(String(command, radix: 16)) is not passed on"
        case .arguments(.count(let index)): return "argument \(index + 1) counts more than Linux takes"
        case .signal: return "no such signal"
        }
    }
}
