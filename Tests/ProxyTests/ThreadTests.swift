import CMcexec
import CMcosABI
import Foundation
import Kernel
import Testing
@testable import mcexec

/// What mcexec decides about a program's threads without an LWK: how many CPUs they may
/// hold, which loop ends when, whose descriptors are whose, and which thread of the
/// program a signal caught by a proxy thread is for.
@Suite struct ThreadTests {
    func options(_ arguments: [String]) throws -> LaunchOptions {
        try (MCExec.parseAsRoot(arguments + ["prog"]) as! MCExec).options
    }

    @Test func threadsOptionBoundsTheCPUs() throws {
        #expect(try options(["-t", "4"]).threadCPUs(environment: [:]) == 4)
        #expect(try options(["--threads", "16"]).threadCPUs(environment: [:]) == 16)
        #expect(try options(["-t", "2"]).threadCPUs(environment: ["OMP_NUM_THREADS": "8"]) == 2, "-t before OMP_NUM_THREADS")
        #expect(try options(["-t", "99999999999"]).threadCPUs(environment: [:]) == UInt32.max, "no more than the ABI carries")
        #expect(try options([]).threadCPUs(environment: [:]) == 0, "no bound but the idle CPUs")
        for bad in ["0", "-1"] {
            #expect(throws: (any Error).self) { try self.options(["-t", bad]) }
        }
        do {
            _ = try MCExec.parseAsRoot(["-t", "0", "prog"])
            Issue.record("-t 0 accepted")
        } catch {
            let message = MCExec.fullMessage(for: error)
            #expect(message.contains("-t must be at least 1") && message.contains("OMP_NUM_THREADS"), "the option and the remedy")
            #expect(MCExec.exitCode(for: error) == .validationFailure, "64, as the other options")
        }
    }

    @Test func openMPThreadsAsLibgompReadsThem() throws {
        let bound = { (value: String) in LaunchOptions.openMPThreads(value) }
        #expect(bound("8") == 8)
        #expect(bound("8,4") == 8, "the outermost level")
        #expect(bound(" 6 ") == 6 && bound("6 , 2") == 6)
        #expect(bound("99999999999999999999999") == .max)
        for ignored in ["", "0", "-2", "+2", "abc", "8,", "8,x", "8,0", ",8", "4.5", "0x10"] {
            #expect(bound(ignored) == nil, "\(ignored)")
        }
        let none = try LaunchOptions.parse([])
        #expect(none.threadCPUs(environment: ["OMP_NUM_THREADS": "8,4"]) == 8)
        #expect(none.threadCPUs(environment: ["OMP_NUM_THREADS": "eight"]) == 0)
        #expect(none.threadCPUs(environment: ["OMP_NUM_THREADS": "99999999999"]) == UInt32.max)
    }

    @Test func eachLoopEndsWithItsOwnThread() {
        let syscall = UInt32(MCOS_EVENT_SYSCALL.rawValue), exit = UInt32(MCOS_EVENT_EXIT.rawValue)
        let threadExit = UInt32(MCOS_EVENT_THREAD_EXIT.rawValue)
        #expect(ProxyChannel.step(kind: syscall, onThread: false) == .call)
        #expect(ProxyChannel.step(kind: syscall, onThread: true) == .call)
        #expect(ProxyChannel.step(kind: exit, onThread: false) == .programEnded)
        #expect(ProxyChannel.step(kind: threadExit, onThread: true) == .threadEnded)
        #expect(ProxyChannel.step(kind: exit, onThread: true) == .threadEnded, "never sent; ends the thread's loop only")
        #expect(ProxyChannel.step(kind: threadExit, onThread: false) == .ignore, "the first thread's end is not the program's")
        #expect(ProxyChannel.step(kind: 99, onThread: true) == .ignore)
        for gone in [ESRCH, ENODEV, EIO] { #expect(ProxyChannel.processIsGone(waitResult: -Int(gone))) }
        for error in [EINVAL, EFAULT, EBADF] { #expect(!ProxyChannel.processIsGone(waitResult: -Int(error))) }
    }

    @Test func ownDescriptorsOfEveryProxyThread() async {
        let own = OwnDescriptors()
        own.add([1010, 1011, 1012])
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<8 {
                group.addTask {
                    let mine: Set<Int32> = [Int32(2000 + 3 * thread), Int32(2001 + 3 * thread), Int32(2002 + 3 * thread)]
                    for _ in 0..<200 {
                        own.add(mine)
                        #expect(own.current.isSuperset(of: mine.union([1010, 1011, 1012])))
                        own.remove(mine)
                    }
                }
            }
        }
        #expect(own.current == [1010, 1011, 1012])
    }

    /// A proxy thread that cannot be had answers the LWK all the same, from the new
    /// thread, and leaves no descriptor behind.
    @Test func aProxyThreadThatCannotServeAnswersTheRequest() throws {
        let instance = 99  // no /dev/mcos99 on a test host
        try #require(!FileManager.default.fileExists(atPath: "/dev/mcos\(instance)"))
        let request = LaunchRequest(instance: instance, program: try #require(PreflightTests.programs["static"]), arguments: [])
        let program = try MCExec.prepare(request, environment: [:], probe: PreflightTests.running).program
        let launcher = Launcher(program: program, request: request, instance: instance, options: try LaunchOptions.parse([]))
        launcher.descriptors.add([1010])
        #expect(ProxyThread.start(for: launcher, process: 1010, lwkCPU: 1 << 32) == -Errno.inval, "not a CPU number")
        #expect(ProxyThread.start(for: launcher, process: 1010, lwkCPU: 1) == -Errno.again, "the new thread found no device")
        #expect(launcher.descriptors.current == [1010])
    }

    // MARK: - Signals

    /// The handler's decision, from siginfo as Linux fills it in.
    @Test func threadDirectedSignals() {
        func info(code: Int32, pid: Int32) -> siginfo_t {
            var info = siginfo_t()
            info.si_code = code
            info._sifields._kill.si_pid = pid
            return info
        }
        var tkill = info(code: Int32(SI_TKILL), pid: 1), brokenPipe = info(code: Int32(SI_USER), pid: getpid())
        var fromShell = info(code: Int32(SI_USER), pid: getpid() + 1), fromKernel = info(code: Int32(SI_KERNEL), pid: 0)
        var queued = info(code: Int32(SI_QUEUE), pid: getpid()), timer = info(code: Int32(SI_TIMER), pid: 0)
        #expect(mcexec_is_thread_directed(&tkill) != 0, "tgkill, tkill, pthread_kill")
        #expect(mcexec_is_thread_directed(&brokenPipe) != 0, "SIGPIPE, SIGXFSZ for the thread's own call")
        #expect(mcexec_is_thread_directed(&fromShell) == 0, "kill(1)")
        #expect(mcexec_is_thread_directed(&fromKernel) == 0, "alarm, the terminal")
        #expect(mcexec_is_thread_directed(&queued) == 0, "sigqueue")
        #expect(mcexec_is_thread_directed(&timer) == 0)
    }

    /// The handler for real: a signal aimed at this thread is noted for it alone, one
    /// for the process for whoever looks. Both are sent to this thread only
    /// (rt_tgsigqueueinfo), so that no other thread of the test runner is disturbed.
    @Test func signalsAreNotedForTheirThread() throws {
        let signal: Int32 = 50  // a real-time signal nobody else here uses
        var old = sigaction()
        try #require(sigaction(signal, nil, &old) == 0)
        defer { sigaction(signal, &old, nil) }
        try #require(mcexec_note(signal) == 0)
        // The test runner's threads block most signals: this one takes it while it runs.
        var only = sigset_t(), mask = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, signal)
        try #require(pthread_sigmask(SIG_UNBLOCK, &only, &mask) == 0)
        defer { pthread_sigmask(SIG_SETMASK, &mask, nil) }
        _ = mcexec_take_signals()
        _ = mcexec_take_thread_signals()
        let bit = UInt64(1) << (signal - 1)

        try #require(send(signal, code: Int32(SI_TKILL)) == 0)
        #expect(mcexec_take_thread_signals() == bit)
        #expect(mcexec_take_signals() == 0)

        try #require(send(signal, code: Int32(SI_QUEUE)) == 0)
        #expect(mcexec_take_signals() == bit)
        #expect(mcexec_take_thread_signals() == 0)

        try #require(send(signal, code: Int32(SI_TKILL)) == 0)
        let elsewhere = Self.takeThreadSignalsOnAnotherThread()
        #expect(elsewhere == 0, "another thread's notes are its own")
        #expect(mcexec_take_thread_signals() == bit)
    }

    /// rt_tgsigqueueinfo to this very thread, with `code` (Linux lets a process choose
    /// any code for itself): delivered before the call returns.
    func send(_ signal: Int32, code: Int32) -> Int {
        var info = siginfo_t()
        info.si_signo = signal
        info.si_code = code
        info._sifields._kill.si_pid = getpid()
        return withUnsafePointer(to: &info) {
            mcexec_raw_syscall(Int(Syscall.rtTgsigqueueinfo.rawValue), Int(getpid()), Int(Launcher.threadID), Int(signal), Int(bitPattern: $0), 0, 0)
        }
    }

    static func takeThreadSignalsOnAnotherThread() -> UInt64 {
        final class Result: @unchecked Sendable { var noted: UInt64 = 1 }
        let result = Result(), done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            result.noted = mcexec_take_thread_signals()
            done.signal()
        }
        done.wait()
        return result.noted
    }
}
