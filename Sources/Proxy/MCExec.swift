import ArgumentParser
import Foundation
import Kernel
import NodeBasics

/// `mcexec [options] [<os#>] <program> [args…]`: runs a Linux program on the LWK and
/// serves its system calls on Linux. Checks the program, the module and the instance,
/// then puts the program on an idle LWK CPU (Launcher) and ends as the program ended.
@main
struct MCExec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcexec",
        abstract: "Run a Linux program on the lightweight kernel (LWK).",
        usage: "mcexec [options] [<os#>] <program> [args…]",
        discussion: """
            The program runs on an idle LWK CPU of OS instance <os#> (with time_sharing, \
            the least busy one if none is idle) (default: the first \
            instance of the profile applied with `mcprov apply`, else 0); mcexec stays on \
            Linux as its proxy and performs the system calls the LWK passes on (file and \
            terminal I/O, stat, …) with your credentials. \
            It must be an x86-64 executable, static or dynamic (mcexec loads its dynamic \
            loader, which maps its libraries privately: their bytes are read into LWK \
            memory once, when mapped), or a #! script whose interpreter is one (or, up \
            to five levels, a script again); \
            MAP_SHARED mappings of files map Linux's own pages of the file, pinned \
            (they count against your RLIMIT_MEMLOCK; writable ones only of tmpfs files \
            such as /dev/shm). Each further thread of the \
            program runs on an idle LWK CPU of its own, or with time_sharing shares the \
            least busy of the program's CPUs (-t bounds how many threads it holds at \
            once), served by a proxy thread of mcexec whose Linux tid is the thread's. \
            A fork runs the child on another idle LWK CPU (with time_sharing, the least \
            busy one) with a copy of the program's memory, served by a copy of mcexec \
            (fork fails with EAGAIN when no CPU, or with time_sharing no context, is \
            free); an execve runs the new program in the same process, same pid. \
            Signals sent to mcexec (SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, \
            SIGALRM, SIGTERM, the real-time ones and a few more) go to the program, which \
            ignores, holds, handles or dies by them as its actions and mask say; one sent \
            to one of mcexec's threads (tgkill) goes to the program's thread of that tid. \
            A call they cut short is restarted or fails with EINTR as natively. What was \
            ignored or blocked when mcexec started (nohup, a script's background job) is \
            ignored or blocked for the program, as a native program inherits it. Ctrl-Z stops the program and \
            mcexec with it; fg continues both. \
            With -n N, the N mcexec of an MPI job that one launcher starts on a node \
            split the LWK's CPUs, one share per rank. \
            Options go before the program; everything after it is the program's. \
            Exit status: the program's own, or 128+N if it died by signal N (mcexec then \
            dies by the same signal, without a core dump, so a shell reports it as for a \
            native run); 127 if the program or its dynamic loader is not found, 126 if it \
            cannot run on the LWK (not an x86-64 ELF program, nor a #! script naming one), \
            64 for a bad option, 1 if the LWK is not ready, busy, or went away.
            """,
        version: Release.version,
        helpNames: [.long]  // -h is McKernel's heap option
    )

    @OptionGroup var options: LaunchOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("[<os#>] <program> [args…]", valueName: "command"))
    var command: [String] = []

    func run() throws {
        // The passthrough argument takes every word once options end, ArgumentParser's
        // own flags included: --help, --version, and the help dump that man pages are
        // generated from.
        switch command.first {
        case "--help": throw CleanExit.helpRequest(self)
        case "--version": throw CleanExit.message(Release.version)
        case "--experimental-dump-help": throw CleanExit.message(Self._dumpHelp())
        default: break
        }
        let inherited = KeptSignals.inherited()  // before anything here changes it
        let end: ProgramEnd
        do throws(MCExecError) {
            let request = try LaunchRequest(words: command)
            let (program, instance) = try Self.prepare(request, environment: ProcessInfo.processInfo.environment, probe: LiveInstanceProbe())
            try InstanceCheck.requireCPU(options.cpu, of: instance, probe: LiveInstanceProbe())
            var launcher = Launcher(program: program, request: request, instance: instance, options: options, inherited: inherited)
            launcher.share = try launcher.joinRanks(probe: LiveInstanceProbe(), environment: ProcessInfo.processInfo.environment)
            end = try launcher.run()
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(error.status.rawValue)
        }
        Self.finish(end)
    }

    /// Every check before the LWK is asked to do anything, program first (no kernel
    /// needed for those), then the instance.
    static func prepare(_ request: LaunchRequest, environment: [String: String], probe: some InstanceProbe) throws(MCExecError) -> (program: CheckedProgram, instance: Int) {
        let path = try ProgramCheck.resolve(request.program, searchPath: environment["PATH"])
        let program = try ProgramCheck.checkScriptOrProgram(path: path, request: request)
        let instance = InstanceCheck.choose(requested: request.instance, probe: probe)
        try InstanceCheck.requireRunning(instance, probe: probe)
        return (program, instance)
    }

    /// Ends mcexec the way the program ended: its exit status, or death by its signal
    /// (default action, no core file), so a shell prints and sets $? as for a native run.
    static func finish(_ end: ProgramEnd) -> Never {
        switch end {
        case .exited(let code):
            Foundation.exit(code)
        case .signaled(let signal, _):
            var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
            _ = getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
            noCore.rlim_cur = 0
            _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
            Foundation.signal(signal, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signal)
            sigprocmask(SIG_UNBLOCK, &set, nil)
            raise(signal)
            // Still here: a signal whose default is to be ignored or to stop.
            Foundation.exit(end.shellStatus)
        }
    }
}
