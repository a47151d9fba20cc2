import CMcexec
import CMcosABI
import Foundation
import Kernel

/// The live part of mcexec: puts the checked program on an idle LWK CPU through
/// /dev/mcosN and serves its offloaded system calls until it ends (Serving.swift): the
/// first thread's on this thread, each further thread's on a proxy thread of its own
/// (ProxyThread.swift). A program that execs another is followed by it in the same
/// process, which the LWK creates anew for it on a new file, with the same pid.
struct Launcher {
    var program: CheckedProgram
    var request: LaunchRequest
    var instance: Int
    var options: LaunchOptions
    /// What mcexec was started with, which its first program starts with.
    var inherited: KeptSignals = .none
    /// After an execve: the program's strings and the signal state it keeps.
    var execed: (next: NextProgram, signals: KeptSignals)?
    /// After an execve: the LWK CPU the program before ran on, tried first. -c names
    /// the first program's CPU only: a forked mcexec's program runs elsewhere.
    var formerCPU: Int32?
    /// mcexec's own descriptors, of every proxy thread: shared by every copy.
    let descriptors = OwnDescriptors()
    /// The program's calls proxy threads perform now: shared by every copy.
    let calls = CallsInFlight()
    /// The program an accepted execve runs next: shared by every copy.
    let successor = Successor()
    /// The program's System V shared memory attachments: shared by every copy.
    let segments = SharedSegments()
    /// mcexec's pid, which is the program's too (a forked mcexec's is its own).
    var pid = getpid()
    /// -n: this rank's share of the LWK's CPUs, which its forks' children keep.
    var share: RankShare?
    /// In an mcexec forked for a vfork: the pipe whose closing lets the parent go on,
    /// once the child execs or ends.
    var vforkRelease: Int32?

    var name: String { execed.map { String(decoding: $0.next.executablePath, as: UTF8.self) } ?? request.program }

    /// Runs the program, and each one it execs; returns how the last one ended.
    func run() throws(MCExecError) -> ProgramEnd {
        try follow(try runProgram())
    }

    /// After a program left its process (`outcome` on LWK CPU `cpu`): the programs it
    /// execs, one after the other; how the last one ended.
    func follow(_ first: (ProgramOutcome, Int32)) throws(MCExecError) -> ProgramEnd {
        var launcher = self
        var (outcome, cpu) = first
        while case .execed(let signals) = outcome {
            guard let next = successor.take() else {
                throw MCExecError("the LWK ended \(name) for an execve mcexec had not accepted", remedy: "this is a bug; please report it with `mcprov kmsg` output", status: .failure)
            }
            launcher.closeOnExec()
            segments.detachAll()  // as an exec detaches System V shared memory
            if let release = launcher.vforkRelease {
                close(release)  // a vfork's parent goes on
                launcher.vforkRelease = nil
            }
            launcher.program = next.program
            launcher.execed = (next, signals)
            launcher.formerCPU = cpu
            // A handler's SA_NOCLDWAIT goes with the handler; SIG_IGN stays.
            _ = Self.reapChildren(signals.ignored & Signal.bit(Signal.chld) != 0)
            (outcome, cpu) = try launcher.runProgram()
        }
        guard case .ended(let end) = outcome else { preconditionFailure("only an exec continues") }
        return end
    }

    /// Runs one program in the process, on a file of its own; how it left, and its CPU.
    private func runProgram() throws(MCExecError) -> (ProgramOutcome, Int32) {
        let device = try openDevice()
        defer { close(device) }
        let process = try create(device)
        verbose("program \(name) on OS \(instance), LWK CPU \(process.lwk_cpu)"
                + (process.nr_cpus > 0 ? "; its threads may hold \(process.nr_cpus) LWK CPUs at once" : ""))
        if let bound = ProxyBinding.bind(lwkCPU: Int(process.lwk_cpu), instance: instance) {
            verbose("proxy on NUMA node \(bound.node), beside Linux CPU \(bound.linuxCPU), which serves that LWK CPU")
        }

        if let refusal = ProgramLayout.refusal(program.load) {
            throw MCExecError("\(name) cannot run on the LWK: \(refusal)", remedy: "link it at a lower address (the default of gcc -static) or as -static-pie", status: .cannotExecute)
        }
        try mapUnifiedRange(device, offset: process.map_offset)
        defer { munmap(UnsafeMutableRawPointer(bitPattern: UInt(ProgramLayout.userStart)), Int(ProgramLayout.userEnd - ProgramLayout.userStart)) }
        let stackBytes = ProgramLayout.stackBytes(rlimit: Self.softLimit(RLIMIT_STACK), requested: options.stackMaximum)
        let stack = ProgramLayout.stackRange(bytes: stackBytes)
        for region in ProgramLayout.regions(ProgramLayout.segments(program.load)) {
            try map(device, start: region.start, bytes: region.bytes, protection: region.protection)
        }
        let stackProtection = UInt32(MCOS_PROT_READ | MCOS_PROT_WRITE) | (program.plan.executableStack ? UInt32(MCOS_PROT_EXEC) : 0)
        try map(device, start: stack.lowerBound, bytes: stack.upperBound - stack.lowerBound, protection: stackProtection)
        try copySegments(of: program.plan, from: program.path, as: name)
        if let interpreter = program.load.interpreter, let path = program.interpreterPath {
            try copySegments(of: interpreter, from: path, as: "its dynamic loader \(path)")
        }
        let sp = try writeInitialStack(stackBytes: stackBytes)

        var start = mcos_proc_start()
        start.size = UInt32(MemoryLayout<mcos_proc_start>.size)
        start.entry = program.load.entry
        start.sp = sp
        start.brk = (program.plan.programBreak + ProgramLayout.page - 1) / ProgramLayout.page * ProgramLayout.page
        let signals = execed?.signals ?? inherited
        start.blocked = signals.blocked
        start.pending = signals.pending
        start.ignored = signals.ignored
        let started = deviceControl(device, mcos_ioc_proc_start, &start)
        if started < 0 { throw lwkError(started, "start \(name)") }
        verbose("started at 0x\(String(start.entry, radix: 16)), sp 0x\(String(sp, radix: 16)), brk 0x\(String(start.brk, radix: 16))")
        return (try serveProgram(device), process.lwk_cpu)
    }

    /// What execve does to the descriptors, which live here: those with close-on-exec
    /// go (mcexec's own stay).
    private func closeOnExec() {
        let own = descriptors.current
        guard let directory = opendir("/proc/self/fd") else { return }
        var doomed: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != dirfd(directory), !own.contains(fd) else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC != 0 { doomed.append(fd) }
        }
        closedir(directory)
        for fd in doomed { close(fd) }
    }

    // MARK: - Setting up

    func openDevice() throws(MCExecError) -> Int32 {
        let path = devicePath
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == EACCES || code == EPERM {
                throw MCExecError("cannot open \(path) to run programs: permission denied",
                                  remedy: "the mcos module makes it mode 0666; check who changed its mode (ls -l \(path))", status: .failure)
            }
            throw MCExecError("cannot open \(path): \(String(cString: strerror(code)))", remedy: "`mcprov status` shows the node", status: .failure)
        }
        return Self.movedOutOfTheWay(fd)
    }

    var devicePath: String { "/dev/mcos\(instance)" }

    /// The process on the LWK: its CPU and where its unified range lies in the device file.
    private func create(_ device: Int32) throws(MCExecError) -> mcos_proc_create {
        var create = mcos_proc_create()
        create.size = UInt32(MemoryLayout<mcos_proc_create>.size)
        let named = formerCPU == nil ? options.cpu : nil
        create.lwk_cpu = formerCPU ?? named.map { Int32($0) } ?? -1
        create.numa_mask = options.numaMask
        create.nr_cpus = options.threadCPUs(environment: ProcessInfo.processInfo.environment)
        create.cpuShare = share?.mask ?? .all
        var result = deviceControl(device, mcos_ioc_proc_create, &create)
        if result == -Int(EBUSY) && formerCPU != nil {
            create.lwk_cpu = -1  // another program took it meanwhile: any idle one
            result = deviceControl(device, mcos_ioc_proc_create, &create)
        }
        switch result {
        case 0...: return create
        case -Int(EBUSY) where named != nil:
            throw MCExecError("LWK CPU \(named!) of OS \(instance) is running another program",
                              remedy: "leave out -c to take any idle LWK CPU, or wait for that program to end", status: .failure)
        case -Int(EBUSY):
            throw MCExecError("every LWK CPU of OS \(instance) is running a program (with time_sharing: every context of every CPU)",
                              remedy: "wait for one to end, or give the LWK more CPUs or contexts (a larger profile, or time_sharing=N in its kernel args)", status: .failure)
        case -Int(EINVAL) where named != nil && options.memoryNodes != nil:
            throw MCExecError("OS \(instance) has no LWK CPU \(named!), or no memory on a NUMA node of -m \(options.memoryNodes!)",
                              remedy: "`mcprov status` shows its CPUs (numbered from 0) and its memory per node", status: .failure)
        case -Int(EINVAL) where named != nil:
            throw MCExecError("OS \(instance) has no LWK CPU \(named!)", remedy: "LWK CPUs are numbered from 0; `mcprov status` shows how many there are", status: .failure)
        case -Int(EINVAL) where options.memoryNodes != nil:
            throw MCExecError("the LWK of OS \(instance) has no memory on a NUMA node of -m \(options.memoryNodes!)",
                              remedy: "`mcprov status` shows its memory per node; give -m only nodes listed there", status: .failure)
        case -Int(ENOTCONN), -Int(ENODEV):
            throw MCExecError("OS \(instance) is not running", remedy: "boot it with `mcprov apply PROFILE`; `mcprov status` shows the node", status: .failure)
        default:
            throw lwkError(result, "create a process for \(name)")
        }
    }

    func mapUnifiedRange(_ device: Int32, offset: UInt64) throws(MCExecError) {
        let result = mcexec_map_fixed_noreplace(device, ProgramLayout.userStart, ProgramLayout.userEnd - ProgramLayout.userStart, offset)
        if result == -Int(EEXIST) {
            throw MCExecError(
                "mcexec itself has memory in the program range 0x\(String(ProgramLayout.userStart, radix: 16))-0x\(String(ProgramLayout.userEnd, radix: 16))",
                remedy: "mcexec must be a PIE binary loaded high (the default); check `cat /proc/sys/vm/mmap_min_addr` and that mcexec was not built with -no-pie",
                status: .failure)
        }
        if result < 0 { throw lwkError(result, "map the program's address range") }
    }

    private func map(_ device: Int32, start: UInt64, bytes: UInt64, protection: UInt32) throws(MCExecError) {
        var map = mcos_proc_map()
        map.size = UInt32(MemoryLayout<mcos_proc_map>.size)
        map.prot = protection
        map.start = start
        map.bytes = bytes
        let result = deviceControl(device, mcos_ioc_proc_map, &map)
        if result == -Int(ENOMEM) {
            throw MCExecError("the LWK has not enough memory for \(name) (\(bytes >> 10) KiB at 0x\(String(start, radix: 16)))",
                              remedy: "give OS \(instance) more memory in its profile, or reduce the stack (-s)", status: .failure)
        }
        if result < 0 { throw lwkError(result, "map 0x\(String(start, radix: 16)) (+\(bytes)) for \(name)") }
    }

    /// A file's bytes (the program's or its loader's), straight into the program's
    /// memory through the mapping.
    private func copySegments(of plan: LoadPlan, from path: String, as what: String) throws(MCExecError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw MCExecError("\(what) cannot be read", remedy: "make it readable for you (chmod +r \(path))", status: .cannotExecute)
        }
        defer { close(fd) }
        for mapping in plan.mappings where mapping.copyBytes > 0 {
            var done: UInt64 = 0
            while done < mapping.copyBytes {
                let to = UnsafeMutableRawPointer(bitPattern: UInt(mapping.start + done))
                let count = pread(fd, to, Int(min(mapping.copyBytes - done, 1 << 30)), off_t(mapping.fileOffset + done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw MCExecError("\(what): reading its segment at file offset \(mapping.fileOffset + done) failed (\(count < 0 ? String(cString: strerror(errno)) : "end of file"))",
                                      remedy: "the file may have changed or be truncated: rebuild or reinstall it", status: .cannotExecute)
                }
                done += UInt64(count)
            }
        }
    }

    /// argv, envp and auxv below the stack top; returns the initial stack pointer.
    private func writeInitialStack(stackBytes: UInt64) throws(MCExecError) -> UInt64 {
        var random = [UInt8](repeating: 0, count: 16)
        let got = random.withUnsafeMutableBytes { mcexec_raw_syscall(Int(Syscall.getrandom.rawValue), Int(bitPattern: $0.baseAddress), $0.count, 0, 0, 0, 0) }
        if got != 16 { for i in random.indices { random[i] = UInt8.random(in: 0...255) } }
        var process = InitialStack.Process(load: program.load, random: random, executablePath: execed?.next.executablePath ?? Array(name.utf8))
        process.uid = UInt64(getuid())
        process.euid = UInt64(geteuid())
        process.gid = UInt64(getgid())
        process.egid = UInt64(getegid())
        process.hardwareCapabilities = mcexec_hwcap()
        let stack: InitialStack
        do throws(InitialStack.BuildError) {
            stack = try InitialStack(top: ProgramLayout.stackTop, arguments: execed?.next.arguments ?? (program.scriptArgv ?? request.argv).map { Array($0.utf8) },
                                     environment: execed?.next.environment ?? Self.environment(), process: process,
                                     limit: ProgramLayout.argumentLimit(stackBytes: stackBytes))
        } catch {
            switch error {
            case .tooLarge(let needed, let limit):
                throw MCExecError("\(name): argument list too long (\(needed) bytes of arguments and environment, \(limit) allowed)",
                                  remedy: "pass fewer or shorter arguments, or raise the stack limit (ulimit -s)", status: .cannotExecute)
            default:
                throw MCExecError("\(name): cannot build its initial stack (\(error))", remedy: "this is a bug in mcexec; please report it", status: .failure)
            }
        }
        stack.bytes.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(bitPattern: UInt(stack.base))!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        return stack.stackPointer
    }

    /// mcexec's environment in its own order, as C strings without the NUL.
    static func environment() -> [[UInt8]] {
        var result: [[UInt8]] = []
        var entry = environ
        while let string = entry.pointee {
            result.append(Array(UnsafeBufferPointer(start: UnsafeRawPointer(string).assumingMemoryBound(to: UInt8.self), count: strlen(string))))
            entry += 1
        }
        return result
    }

    /// Where mcexec keeps its own descriptors: out of the program's way, so that it sees
    /// the descriptors it would see natively.
    static var descriptorFloor: Int32 {
        ProgramLayout.descriptorFloor(nofileSoftLimit: softLimit(RLIMIT_NOFILE) ?? 1024)
    }

    /// `fd` moved to `floor` or above; `fd` itself when it cannot move.
    static func movedOutOfTheWay(_ fd: Int32, floor: Int32 = Launcher.descriptorFloor) -> Int32 {
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, floor)
        guard moved >= 0 else { return fd }
        close(fd)
        return moved
    }

    static func softLimit(_ resource: __rlimit_resource) -> UInt64? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }

    // MARK: - Errors and logs

    func lwkError(_ result: Int, _ what: String) -> MCExecError {
        let code = Int32(-result)
        if code == EIO {
            return MCExecError("cannot \(what): the LWK of OS \(instance) panicked",
                               remedy: "its log (`mcprov kmsg --instance \(instance)`) says why; then `mcprov teardown` and `mcprov apply PROFILE`", status: .failure)
        }
        if code == ENODEV {
            return MCExecError("cannot \(what): OS \(instance) was shut down", remedy: "`mcprov status` shows the node", status: .failure)
        }
        return MCExecError("cannot \(what) on OS \(instance): \(String(cString: strerror(code)))",
                           remedy: "the LWK's log (`mcprov kmsg --instance \(instance)`) and dmesg may say more", status: .failure)
    }

    func verbose(_ message: @autoclosure () -> String) {
        guard options.verbose else { return }
        Self.writeError("mcexec: " + message())
    }

    /// `line` on stderr in one write(2), so that the lines of several proxy threads never
    /// run into each other.
    static func writeError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
