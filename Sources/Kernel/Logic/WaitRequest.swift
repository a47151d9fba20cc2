/// wait4 and waitid's arguments, checked as Linux checks them (kernel_wait4,
/// kernel_waitid), and what a child reports: the status word and the siginfo.
public struct WaitRequest: Equatable {
    /// Which children: wait4's pid, or waitid's idtype and id.
    public enum Selector: Equatable {
        case any
        case process(Int32)
        /// 0 is the waiter's own group, read when the wait starts (as Linux since 5.4).
        case group(Int32)
    }

    public struct Options: OptionSet, Equatable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        // <linux/wait.h>
        public static let noHang = Options(rawValue: 0x1)
        /// WUNTRACED for wait4, WSTOPPED for waitid: the same bit.
        public static let stopped = Options(rawValue: 0x2)
        public static let exited = Options(rawValue: 0x4)
        public static let continued = Options(rawValue: 0x8)
        public static let noWait = Options(rawValue: 0x0100_0000)
        /// __WNOTHREAD: only this thread's children. Every LWK process has one waiter, so
        /// it changes nothing here.
        public static let noThread = Options(rawValue: 0x2000_0000)
        /// __WALL: children whatever their exit signal; __WCLONE: only those whose exit
        /// signal is not SIGCHLD (clone children).
        public static let all = Options(rawValue: 0x4000_0000)
        public static let clone = Options(rawValue: 0x8000_0000)

        static let wait4Known: Options = [.noHang, .stopped, .continued, .noThread, .all, .clone]
        static let waitidKnown: Options = [.noHang, .stopped, .exited, .continued, .noWait, .noThread, .all, .clone]
    }

    public var selector: Selector
    public var options: Options

    /// wait4(pid, …, options): pid > 0 that child, -1 any, 0 the own group, < -1 the
    /// group -pid. INT_MIN has no group (ESRCH); unknown bits and WNOWAIT are EINVAL.
    public static func wait4(pid: Int32, options: UInt32) throws(Errno) -> WaitRequest {
        let requested = Options(rawValue: options)
        guard requested.isSubset(of: Options.wait4Known) else { throw .inval }
        guard pid != Int32.min else { throw .srch }
        let selector: Selector = pid > 0 ? .process(pid) : pid == -1 ? .any : .group(pid == 0 ? 0 : -pid)
        return WaitRequest(selector: selector, options: requested.union(.exited))
    }

    /// waitid's idtype values.
    public static let idAll: UInt32 = 0, idProcess: UInt32 = 1, idGroup: UInt32 = 2, idFileDescriptor: UInt32 = 3

    /// waitid(idtype, id, …, options): at least one of WEXITED, WSTOPPED, WCONTINUED;
    /// P_PID needs id > 0, P_PGID id ≥ 0 (0: own group). P_PIDFD is EBADF: the LWK hands
    /// out no pidfds, so no descriptor can be one.
    public static func waitid(type: UInt32, id: Int32, options: UInt32) throws(Errno) -> WaitRequest {
        let requested = Options(rawValue: options)
        guard requested.isSubset(of: Options.waitidKnown) else { throw .inval }
        guard !requested.isDisjoint(with: [.exited, .stopped, .continued]) else { throw .inval }
        switch type {
        case idAll: return WaitRequest(selector: .any, options: requested)
        case idProcess:
            guard id > 0 else { throw .inval }
            return WaitRequest(selector: .process(id), options: requested)
        case idGroup:
            guard id >= 0 else { throw .inval }
            return WaitRequest(selector: .group(id), options: requested)
        case idFileDescriptor: throw .badf
        default: throw .inval
        }
    }
}

/// What ended or changed in a child, as wait reports it.
public enum ChildEvent: Equatable {
    case exited(code: UInt8)
    case killed(signal: UInt32, coreDumped: Bool)
    case stopped(signal: UInt32)
    case continued

    /// The status word wait4 stores: WEXITSTATUS, WTERMSIG | WCOREDUMP, WSTOPSIG << 8 |
    /// 0x7f, and 0xffff for WIFCONTINUED.
    public var status: UInt32 {
        switch self {
        case .exited(let code): return ProcessEnd.exitStatus(code: UInt64(code))
        case .killed(let signal, let coreDumped): return ProcessEnd.signalStatus(signal) | (coreDumped ? 0x80 : 0)
        case .stopped(let signal): return (signal & 0xff) << 8 | 0x7f
        case .continued: return 0xffff
        }
    }

    /// si_code: CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED.
    public var code: Int32 {
        switch self {
        case .exited: return SignalCode.childExited
        case .killed(_, let coreDumped): return coreDumped ? SignalCode.childDumped : SignalCode.childKilled
        case .stopped: return SignalCode.childStopped
        case .continued: return SignalCode.childContinued
        }
    }

    /// si_status: the exit code, or the signal that killed, stopped or continued it.
    public var siginfoStatus: Int32 {
        switch self {
        case .exited(let code): return Int32(code)
        case .killed(let signal, _), .stopped(let signal): return Int32(signal)
        case .continued: return Int32(Signal.cont)
        }
    }

    /// The SIGCHLD siginfo (or what waitid fills in) for child `pid` of user `uid`.
    public func signalInfo(pid: Int32, uid: UInt32, userTicks: Int64 = 0, systemTicks: Int64 = 0) -> SignalInfo {
        SignalInfo.child(code: code, pid: UInt32(bitPattern: pid), uid: uid, status: siginfoStatus,
                         userTicks: userTicks, systemTicks: systemTicks)
    }
}
