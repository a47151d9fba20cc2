import CMcexec
import CMcosABI
import Glibc
import Kernel

/// One thread of the program as its proxy thread serves it: the /dev/mcosN file its
/// calls come on (the process's own file for the first thread, a file attached to its
/// CPU for any other), the process's file for what concerns the whole process, and the
/// pipe its proxy thread checks calls through (one each: a pipe carries one call's bytes
/// at a time).
struct ProxyChannel {
    let device: Int32
    let process: Int32
    let memory: PipedProgramMemory

    var isThread: Bool { device != process }

    /// What the serve loop does with an event of `kind`.
    enum Step: Equatable {
        case call
        /// The process ended (MCOS_EVENT_EXIT on the process's file).
        case programEnded
        /// The process's program ended for the one it execs (MCOS_EVENT_EXEC).
        case programExeced
        /// This channel's thread ended; the process lives on.
        case threadEnded
        /// Nothing for this channel: wait for the next event.
        case ignore
    }

    /// A thread's channel ends at its thread's end; an EXIT on it (which the module
    /// never sends) is taken as that too. The process's file serves until the program
    /// ends, whichever of its threads end before.
    static func step(kind: UInt32, onThread: Bool) -> Step {
        switch kind {
        case UInt32(MCOS_EVENT_SYSCALL.rawValue): return .call
        case UInt32(MCOS_EVENT_EXIT.rawValue): return onThread ? .threadEnded : .programEnded
        case UInt32(MCOS_EVENT_EXEC.rawValue): return onThread ? .threadEnded : .programExeced
        case UInt32(MCOS_EVENT_THREAD_EXIT.rawValue): return onThread ? .threadEnded : .ignore
        default: return .ignore
        }
    }

    /// Whether a failed wait on a thread's channel means that its process is gone (ended,
    /// or the LWK shut down or panicked), which the process's channel reports.
    static func processIsGone(waitResult: Int) -> Bool {
        waitResult == -Int(ESRCH) || waitResult == -Int(ENODEV) || waitResult == -Int(EIO)
    }
}

/// How a program on the LWK left its process: it ended, or it exec'd another, which
/// starts with these signals.
enum ProgramOutcome: Equatable {
    case ended(ProgramEnd)
    case execed(KeptSignals)
}

/// Serving the program's offloaded calls, one loop per proxy thread. Every use of the
/// shim's signal notes is in this file (they are per object file).
extension Launcher {
    /// Serves the program's first thread, on the process's own file, until the program
    /// ends or execs another; its further threads are served by proxy threads this loop
    /// starts.
    func serveProgram(_ device: Int32) throws(MCExecError) -> ProgramOutcome {
        guard let memory = PipedProgramMemory(descriptorFloor: Self.descriptorFloor) else {
            throw MCExecError("cannot create the pipe mcexec checks the program's calls through: \(String(cString: strerror(errno)))",
                              remedy: "raise the limit of open files (ulimit -n)", status: .failure)
        }
        descriptors.add(memory.descriptors.union([device]))
        defer { descriptors.remove(memory.descriptors.union([device])) }
        _ = mcexec_forward_signals()
        _ = mcexec_catch_interrupts()
        // mcexec may have been started with some blocked (its program starts with
        // them blocked on the LWK, which holds them): this thread passes them on.
        _ = mcexec_mask_forwarded(SIG_UNBLOCK, nil)
        let channel = ProxyChannel(device: device, process: device, memory: memory)
        while true {
            // nil is a thread's end, which the process's own file never reports.
            if let end = try serve(channel) { return end }
        }
    }

    /// Serves one channel: waits for the LWK's next request, performs it, answers, until
    /// the program ends or execs (how) or, on a thread's channel, that thread ends or its
    /// process is gone (nil).
    func serve(_ channel: ProxyChannel) throws(MCExecError) -> ProgramOutcome? {
        let tid = Self.threadID
        mcexec_serve_on(channel.device)
        defer { mcexec_serve_on(-1) }
        while true {
            forwardSignals(channel)
            var event = mcos_proc_event()
            event.size = UInt32(MemoryLayout<mcos_proc_event>.size)
            let result = deviceControl(channel.device, mcos_ioc_proc_wait, &event)
            if result == -Int(EINTR) { continue }
            if result < 0 {
                if channel.isThread && ProxyChannel.processIsGone(waitResult: result) { return nil }
                throw waitError(result)
            }

            switch ProxyChannel.step(kind: event.kind, onThread: channel.isThread) {
            case .call:
                break
            case .programEnded:
                if event.fault_ip != 0 || event.fault_addr != 0 {
                    verbose("\(name) faulted at address 0x\(String(event.fault_addr, radix: 16)), ip 0x\(String(event.fault_ip, radix: 16))")
                }
                return .ended(ProgramEnd(waitStatus: event.status))
            case .programExeced:
                verbose("\(name) execs a new program")
                return .execed(KeptSignals(blocked: event.args.0, pending: event.args.1, ignored: event.args.2))
            case .threadEnded:
                return nil
            case .ignore:
                continue
            }
            let arguments = [event.args.0, event.args.1, event.args.2, event.args.3, event.args.4, event.args.5]
            let ownDescriptors = descriptors.current
            let value = answerRequest(number: event.number, arguments: arguments, channel: channel, ownDescriptors: ownDescriptors, tid: tid)
                ?? calls.perform(tid: tid, interrupted: -Errno.intr) { perform(number: event.number, arguments: arguments, channel: channel, ownDescriptors: ownDescriptors) }
            // A signal that cut the call short reaches the LWK before the call's result,
            // so that the program's disposition decides before the program runs again.
            forwardSignals(channel)
            var reply = mcos_proc_reply()
            reply.size = UInt32(MemoryLayout<mcos_proc_reply>.size)
            reply.result = value
            let replied = deviceControl(channel.device, mcos_ioc_proc_reply, &reply)
            if replied < 0 && replied != -Int(ESRCH) {
                if replied == -Int(ENODEV) || replied == -Int(EIO) { continue }  // the wait says which
                throw lwkError(replied, "answer \(name)'s system call \(event.number)")
            }
        }
    }

    private func waitError(_ result: Int) -> MCExecError {
        if result == -Int(ENODEV) {
            return MCExecError("OS \(instance) was shut down while \(name) ran; the program is gone",
                               remedy: "`mcprov status` shows the node", status: .failure)
        }
        if result == -Int(EIO) {
            return MCExecError("the LWK of OS \(instance) panicked while \(name) ran",
                               remedy: "its log (`mcprov kmsg --instance \(instance)`) says why", status: .failure)
        }
        return lwkError(result, "wait for \(name)")
    }

    /// The LWK's own requests (MCOS_PROXY_*), or nil for a program's call.
    private func answerRequest(number: UInt32, arguments: [UInt64], channel: ProxyChannel, ownDescriptors: Set<Int32>, tid: Int32) -> Int64? {
        if number == MCOS_PROXY_THREAD_CREATE {
            return ProxyThread.start(for: self, process: channel.process, lwkCPU: arguments[0])
        }
        if number == UInt32(Syscall.execve.rawValue) || number == UInt32(Syscall.execveat.rawValue) {
            return answerExec(number: number, arguments: arguments, memory: channel.memory, ownDescriptors: ownDescriptors)
        }
        if number == MCOS_PROXY_FORK {
            return forkProgram(token: arguments[0], parentWaits: arguments[1] != 0, process: channel.process)
        }
        if number == MCOS_PROXY_CHILD_REAPING {
            return Self.reapChildren(arguments[0] != 0)
        }
        if number == MCOS_PROXY_INTERRUPT {
            guard let thread = Int32(exactly: arguments[0]) else { return -Errno.inval }
            calls.interrupt(tid: thread, asker: tid, pid: pid)
            return 0
        }
        if number == MCOS_PROXY_CMA_ALLOWED {
            return CrossMemoryCheck.allowed(pid: arguments[0], writing: arguments[1] == 1, linuxProcess: arguments[2] == 1)
        }
        if let answer = segments.answer(number: number, arguments: arguments, device: channel.device) { return answer }
        return FileMapRequests.answer(number: number, arguments: arguments, device: channel.device, ownDescriptors: ownDescriptors)
    }

    /// execve's answer: its errno, or 0 with the next program noted for the LWK's
    /// MCOS_EVENT_EXEC, which follows unless another thread ends the process first.
    private func answerExec(number: UInt32, arguments: [UInt64], memory: some ProgramMemory, ownDescriptors: Set<Int32>) -> Int64 {
        let checked = ExecRequest.read(number: number, arguments: arguments, memory: memory, ownDescriptors: ownDescriptors,
                                       executable: program.path, pid: pid)
            .flatMap { $0.check(stackLimit: Self.softLimit(RLIMIT_STACK)) }
        switch checked {
        case .failure(let error):
            verbose("\(Syscall.name(UInt64(number))) refused: \(String(cString: strerror(error.rawValue)))")
            return -error
        case .success(let next):
            verbose("\(Syscall.name(UInt64(number))) of \(next.program.path) accepted")
            successor.offer(next)
            return 0
        }
    }

    private func perform(number: UInt32, arguments: [UInt64], channel: ProxyChannel, ownDescriptors: Set<Int32>) -> Int64 {
        let policy = SyscallPolicy(ownDescriptors: ownDescriptors, pid: pid)
        switch policy.decide(number: number, arguments: arguments, memory: channel.memory) {
        case .perform(let call):
            return OffloadedCall.perform(call, memory: channel.memory)
        case .refuse(let code, let reason):
            verbose("refused \(Syscall.name(UInt64(number))): \(reason) (\(String(cString: strerror(code.rawValue))))")
            return -code
        case .answer(let value):
            return value
        case .killProgram(let signal):
            kill(channel.process, signal: signal, flags: 0)
            return 0
        case .stopProxy(let signal):
            verbose("\(name) stops (signal \(signal)): mcexec stops with it")
            mcexec_stop_self(signal)
            return 0
        case .closeRanges(let ranges, let flags):
            var result: Int64 = 0
            for range in ranges {
                let r = OffloadedCall.raw(Syscall.closeRange.rawValue, [UInt64(range.lowerBound), UInt64(range.upperBound), UInt64(flags), 0, 0, 0])
                if r < 0 { result = r }
            }
            return result
        }
    }

    // MARK: - Signals

    /// mcexec's children, the program's, are reaped as they end (`reap`) or wait for the
    /// program's wait calls: what its SIGCHLD action says (MCOS_PROXY_CHILD_REAPING).
    static func reapChildren(_ reap: Bool) -> Int64 {
        Int64(mcexec_reap_children(reap ? 1 : 0))
    }

    /// The calling thread serves no channel any more: a signal it catches is noted
    /// (a forked mcexec's first act, whose thread served the parent's channel).
    static func stopServing() {
        mcexec_serve_on(-1)
    }

    /// Every signal noted since the last look, lowest first, to the LWK on this proxy
    /// thread's channel: those aimed at this proxy thread for its program thread, those
    /// for the process for it too unless it blocks them (then the LWK picks another
    /// thread, and ends that one's offloaded call), as Linux gives a signal for the
    /// process to the thread whose call it cut short. (While the thread serves, its
    /// handler passes a signal on at once, and only one caught otherwise is noted.)
    private func forwardSignals(_ channel: ProxyChannel) {
        forward(mcexec_take_thread_signals(), to: channel.device, flags: UInt32(MCOS_KILL_THREAD))
        forward(mcexec_take_signals(), to: channel.device, flags: 0)
    }

    /// The signals for the process noted since the last look, to it: what a proxy thread
    /// caught for the process must reach it even when that thread has just ended.
    func forwardProcessSignals(_ channel: ProxyChannel) {
        forward(mcexec_take_signals(), to: channel.process, flags: 0)
    }

    private func forward(_ noted: UInt64, to device: Int32, flags: UInt32) {
        let thread = flags & UInt32(MCOS_KILL_THREAD) != 0
        var noted = noted
        while noted != 0 {
            let signal = Int32(noted.trailingZeroBitCount + 1)
            noted &= noted - 1
            verbose("passing signal \(signal) to \(name)" + (thread ? "'s thread \(Self.threadID)" : ""))
            kill(device, signal: signal, flags: flags, from: mcexec_sender_of(signal, thread ? 1 : 0))
        }
    }

    /// `signal` to the program, from `sender` as its handler will see it (mcexec's own
    /// word, SI_USER from mcexec, by default).
    func kill(_ device: Int32, signal: Int32, flags: UInt32, from sender: mcexec_sender? = nil) {
        let sender = sender ?? mcexec_sender(code: Int32(SI_USER), pid: UInt32(bitPattern: pid), uid: getuid(), status: 0)
        _ = mcexec_pass_on(device, signal, flags, sender)
    }

    /// The calling thread's Linux tid: a proxy thread's is the tid of the program thread
    /// it serves.
    static var threadID: Int32 {
        Int32(truncatingIfNeeded: OffloadedCall.raw(Syscall.gettid.rawValue, [0, 0, 0, 0, 0, 0]))
    }
}
