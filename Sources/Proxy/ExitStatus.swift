import Kernel

/// How a program on the LWK ended, and how mcexec passes that on so that a shell or a
/// batch system cannot tell it from the program run natively.
enum ProgramEnd: Equatable {
    /// exit/exit_group with this status (only the low 8 bits reach a parent).
    case exited(Int32)
    /// Killed by signal N (a fault the LWK turned into SIGSEGV, SIGBUS…, or a kill).
    case signaled(Int32, coreDumped: Bool)

    /// `$?` as a shell shows it: the exit code, or 128 + N for a signal.
    var shellStatus: Int32 {
        switch self {
        case .exited(let code): return code & 0xff
        case .signaled(let signal, _): return 128 + signal
        }
    }

    /// What bash prints when a foreground job dies by a signal ("Segmentation fault
    /// (core dumped)"); nil when it prints nothing: a normal exit, SIGINT (the user
    /// pressed Ctrl-C and knows) and SIGPIPE (the reader went away: normal in pipelines).
    var shellMessage: String? {
        guard case .signaled(let signal, let coreDumped) = self else { return nil }
        if signal == Int32(Signal.int) || signal == Int32(Signal.pipe) { return nil }
        let name = Signal.description(signal)
        return coreDumped ? name + " (core dumped)" : name
    }
}

/// Signal descriptions worded as glibc's strsignal (which bash prints); kept here so
/// mcexec words a signal the same whatever libc it runs on.
extension Signal {
    static func description(_ signal: Int32) -> String {
        switch signal {
        case 1: return "Hangup"
        case 2: return "Interrupt"
        case 3: return "Quit"
        case 4: return "Illegal instruction"
        case 5: return "Trace/breakpoint trap"
        case 6: return "Aborted"
        case 7: return "Bus error"
        case 8: return "Floating point exception"
        case 9: return "Killed"
        case 10: return "User defined signal 1"
        case 11: return "Segmentation fault"
        case 12: return "User defined signal 2"
        case 13: return "Broken pipe"
        case 14: return "Alarm clock"
        case 15: return "Terminated"
        case 16: return "Stack fault"
        case 17: return "Child exited"
        case 18: return "Continued"
        case 19: return "Stopped (signal)"
        case 20: return "Stopped"
        case 21: return "Stopped (tty input)"
        case 22: return "Stopped (tty output)"
        case 23: return "Urgent I/O condition"
        case 24: return "CPU time limit exceeded"
        case 25: return "File size limit exceeded"
        case 26: return "Virtual timer expired"
        case 27: return "Profiling timer expired"
        case 28: return "Window changed"
        case 29: return "I/O possible"
        case 30: return "Power failure"
        case 31: return "Bad system call"
        case 34...64: return "Real-time signal \(signal - 34)"
        default: return "Unknown signal \(signal)"
        }
    }
}
