import Foundation
import Glibc
import Testing
@testable import Kernel

/// The LWK's names for Linux's numbers, checked against the installed headers: the
/// system call table against asm/unistd_64.h line by line, the rest against Glibc's
/// <errno.h>, <signal.h>, <sys/mman.h> and <time.h>.
@Suite struct LinuxHeaderTests {
    static let unistd = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

    /// Every `#define __NR_name number` of the header is a case with that name, and every
    /// case is in the header. A header that knows more calls fails with the lines to add
    /// to SyscallTable.swift.
    @Test func syscallTableMatchesTheInstalledHeader() throws {
        let header = try String(contentsOfFile: Self.unistd, encoding: .utf8)
        var defined: [UInt32: String] = [:]
        var missing: [String] = []
        for line in header.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let number = UInt32(fields[2]) else { continue }
            let name = String(fields[1].dropFirst("__NR_".count))
            defined[number] = name
            guard let call = Syscall(rawValue: number) else {
                missing.append("    case \(Self.swiftName(name)) = \(number)  // and .\(Self.swiftName(name)): \"\(name)\"")
                continue
            }
            #expect(call.name == name, "number \(number)")
        }
        #expect(missing.isEmpty, "add to SyscallTable.swift:\n\(missing.joined(separator: "\n"))")
        for call in Syscall.allCases { #expect(defined[call.rawValue] == call.name, "\(call) is not in \(Self.unistd)") }
        #expect(defined.count > 300)
    }

    /// rt_sigaction → rtSigaction.
    static func swiftName(_ linuxName: String) -> String {
        let words = linuxName.split(separator: "_")
        return String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    @Test func errnoValuesAreLinuxs() {
        for errno in Errno.allCases {
            let expected: Int32
            switch errno {
            case .perm: expected = EPERM
            case .srch: expected = ESRCH
            case .badf: expected = EBADF
            case .noMem: expected = ENOMEM
            case .fault: expected = EFAULT
            case .busy: expected = EBUSY
            case .exist: expected = EEXIST
            case .noDev: expected = ENODEV
            case .inval: expected = EINVAL
            case .noSys: expected = ENOSYS
            }
            #expect(errno.rawValue == expected, "\(errno)")
        }
        #expect(-Errno.inval == -22)
    }

    @Test func signalNumbersAreLinuxs() {
        let pairs: [(UInt32, Int32)] = [
            (Signal.int, SIGINT), (Signal.pipe, SIGPIPE), (Signal.ill, SIGILL), (Signal.trap, SIGTRAP), (Signal.bus, SIGBUS), (Signal.fpe, SIGFPE),
            (Signal.kill, SIGKILL), (Signal.segv, SIGSEGV), (Signal.chld, SIGCHLD), (Signal.cont, SIGCONT),
            (Signal.stop, SIGSTOP), (Signal.tstp, SIGTSTP), (Signal.ttin, SIGTTIN), (Signal.ttou, SIGTTOU),
            (Signal.urg, SIGURG), (Signal.winch, SIGWINCH),
        ]
        for (ours, glibc) in pairs { #expect(Int32(ours) == glibc) }
        #expect(Int32(Signal.count) == __libc_current_sigrtmax(), "SIGRTMAX")
        #expect(Signal.bit(Signal.kill) == 1 << 8)
    }

    @Test func memoryAndClockNumbersAreLinuxs() {
        #expect(MapFlag.shared == UInt64(MAP_SHARED) && MapFlag.privateMapping == UInt64(MAP_PRIVATE))
        #expect(MapFlag.fixed == UInt64(MAP_FIXED) && MapFlag.anonymous == UInt64(MAP_ANONYMOUS))
        #expect(MapFlag.fixedNoReplace == UInt64(MAP_FIXED_NOREPLACE) && MapFlag.type == UInt64(MAP_TYPE))
        #expect(MadviseAdvice.normal == UInt64(MADV_NORMAL) && MadviseAdvice.willNeed == UInt64(MADV_WILLNEED))
        #expect(MadviseAdvice.dontNeed == UInt64(MADV_DONTNEED) && MadviseAdvice.free == UInt64(MADV_FREE))
        #expect(MadviseAdvice.remove == UInt64(MADV_REMOVE) && MadviseAdvice.dontFork == UInt64(MADV_DONTFORK))
        #expect(MadviseAdvice.populateWrite == UInt64(MADV_POPULATE_WRITE))
        #expect(MadviseAdvice.dontNeedLocked == UInt64(MADV_DONTNEED_LOCKED))
        #expect(SignalMaskChange.block == UInt64(SIG_BLOCK) && SignalMaskChange.unblock == UInt64(SIG_UNBLOCK))
        #expect(SignalMaskChange.set == UInt64(SIG_SETMASK))
        #expect(ProcessClock.realtimeID == UInt64(CLOCK_REALTIME) && ProcessClock.monotonicID == UInt64(CLOCK_MONOTONIC))
        #expect(ProcessClock.processCPUTimeID == UInt64(CLOCK_PROCESS_CPUTIME_ID))
        #expect(ProcessClock.threadCPUTimeID == UInt64(CLOCK_THREAD_CPUTIME_ID))
        #expect(ProcessClock.monotonicRawID == UInt64(CLOCK_MONOTONIC_RAW))
        #expect(ProcessClock.realtimeCoarseID == UInt64(CLOCK_REALTIME_COARSE))
        #expect(ProcessClock.monotonicCoarseID == UInt64(CLOCK_MONOTONIC_COARSE) && ProcessClock.boottimeID == UInt64(CLOCK_BOOTTIME))
    }
}
