import CMcosABI
import Glibc
import Kernel

/// What execve (or execveat) of a program on the LWK asks for, as mcexec reads and
/// checks it before the LWK lets the old program go: the strings read from the
/// program's memory through Linux (EFAULT, never a fault in mcexec), `#!` lines
/// followed (`ExecArguments`), each file checked as Linux's execve checks it, and the
/// program at the end read and planned (`ProgramCheck`). Every refusal is Linux's
/// errno, and the old program goes on; an acceptance is the point of no return.
///
/// The checks follow Linux 6.1's order (the strings, then the file); 6.12 opens the
/// file first, so a call wrong in both ways may get another errno than there. The
/// set-user-ID and set-group-ID bits are not honoured (the new program runs with
/// mcexec's credentials, as on a file system mounted nosuid).
struct ExecRequest {
    /// The file to open: the path given, or for execveat one through /proc/self/fd.
    var path: [UInt8]
    var arguments: [[UInt8]]
    var environment: [[UInt8]]
    /// AT_EXECFN: the path as given; /dev/fd/N for execveat's AT_EMPTY_PATH.
    var executablePath: [UInt8]
    /// execveat's AT_SYMLINK_NOFOLLOW: a symbolic link as the last component is ELOOP.
    var noFollow = false

    static let atFDCWD = UInt64(bitPattern: Int64(AT_FDCWD))  // execve's, for one reading of both
    /// execveat's flags, which Glibc declares only under _GNU_SOURCE.
    static let emptyPathFlag: UInt64 = 0x1000, noFollowFlag: UInt64 = 0x100
    static let pathMaximum = Int(PATH_MAX)

    /// The request in execve's (`number` 59) or execveat's (322) arguments, of the
    /// program whose file is `executable` (what its /proc/self/exe names: mcexec's
    /// own names mcexec, and busybox, for one, re-execs itself through it).
    static func read(number: UInt32, arguments a: [UInt64], memory: some ProgramMemory, ownDescriptors: Set<Int32>,
                     executable: String? = nil, pid: Int32 = getpid()) -> Result<ExecRequest, Errno> {
        let isAt = number == UInt32(Syscall.execveat.rawValue)
        let (directory, pathAddress, argv, envp) = isAt ? (a[0], a[1], a[2], a[3]) : (atFDCWD, a[0], a[1], a[2])
        let flags = isAt ? a[4] : 0
        guard flags & ~(emptyPathFlag | noFollowFlag) == 0 else { return .failure(.inval) }
        do throws(Errno) {
            let given = try string(at: pathAddress, limit: pathMaximum - 1, tooLong: .nameTooLong, memory: memory)
            var request = ExecRequest(path: given, arguments: try strings(at: argv, memory: memory),
                                      environment: try strings(at: envp, memory: memory), executablePath: given)
            request.noFollow = flags & noFollowFlag != 0
            if isAt { try request.resolve(directory: directory, emptyPath: flags & emptyPathFlag != 0, ownDescriptors: ownDescriptors) }
            if let executable, Self.namesOwnExecutable(request.path, pid: pid) { request.path = Array(executable.utf8) }
            guard !request.path.isEmpty else { return .failure(.noEnt) }
            return .success(request)
        } catch {
            return .failure(error)
        }
    }

    /// Whether `path` is /proc/self/exe, /proc/thread-self/exe or /proc/PID/exe of
    /// the program's own pid.
    static func namesOwnExecutable(_ path: [UInt8], pid: Int32) -> Bool {
        let name = String(decoding: path, as: UTF8.self)
        return name == "/proc/self/exe" || name == "/proc/thread-self/exe" || name == "/proc/\(pid)/exe"
    }

    /// execveat's file: relative to the directory `directory` names, or that file itself.
    private mutating func resolve(directory: UInt64, emptyPath: Bool, ownDescriptors: Set<Int32>) throws(Errno) {
        let fd = Int32(truncatingIfNeeded: directory)  // an int: the upper half is ignored
        if path.first == UInt8(ascii: "/") { return }
        if fd == AT_FDCWD && !path.isEmpty { return }
        var facts = stat()
        guard fd >= 0, !ownDescriptors.contains(fd), fstat(fd, &facts) == 0 else { throw .badf }
        let name = Array("/dev/fd/\(fd)".utf8)
        if path.isEmpty {
            guard emptyPath else { throw .noEnt }
            path = Array("/proc/self/fd/\(fd)".utf8)
            executablePath = name
            return
        }
        guard facts.st_mode & S_IFMT == S_IFDIR else { throw .notDir }
        path = Array("/proc/self/fd/\(fd)/".utf8) + path
        executablePath = name + [UInt8(ascii: "/")] + executablePath
    }

    /// A NUL-terminated string of at most `limit` bytes (`tooLong` past that).
    static func string<Memory: ProgramMemory>(at address: UInt64, limit: Int, tooLong: Errno, memory: Memory) throws(Errno) -> [UInt8] {
        guard address != 0 else { throw .fault }
        var bytes: [UInt8] = []
        var at = address
        while true {
            guard ArgumentCheck<Memory>.inProgram(at, bytes: 1) else { throw .fault }
            let chunk = min(ProgramLayout.page - at % ProgramLayout.page, UInt64(limit + 1 - bytes.count))
            guard let part = memory.read(at, count: Int(chunk)) else { throw .fault }
            if let end = part.firstIndex(of: 0) { return bytes + part[..<end] }
            bytes += part
            guard bytes.count <= limit else { throw tooLong }
            at += chunk
        }
    }

    /// argv or envp: the strings of a NULL-terminated array of pointers (none for NULL,
    /// as Linux takes it). E2BIG once the pointers alone could not fit any stack.
    static func strings<Memory: ProgramMemory>(at address: UInt64, memory: Memory) throws(Errno) -> [[UInt8]] {
        guard address != 0 else { return [] }
        let most = Int(ExecArguments.maximumRoom / 8)
        var result: [[UInt8]] = []
        var at = address
        while true {
            guard ArgumentCheck<Memory>.inProgram(at, bytes: 8), let word = memory.read(at, count: 8) else { throw .fault }
            let pointer = word.word(at: 0)
            if pointer == 0 { return result }
            guard result.count < most else { throw .tooBig }
            result.append(try string(at: pointer, limit: Int(ExecArguments.maximumStringBytes) - 1, tooLong: .tooBig, memory: memory))
            at += 8
        }
    }
}

/// Checking the files execve opens, and the program it would run.
extension ExecRequest {
    /// The program Linux would run for this request: `#!` lines followed (at most five,
    /// ELOOP beyond), then the ELF program and its loader read and planned.
    func check(stackLimit: UInt64?) -> Result<NextProgram, Errno> {
        var first = true
        let resolved = ExecArguments.resolve(path: path, arguments: arguments, environment: environment,
                                             stackLimit: stackLimit ?? UInt64.max) { file in
            defer { first = false }
            return Self.head(of: file, noFollow: first && noFollow)
        }
        switch resolved {
        case .failure(let error):
            return .failure(error)
        case .success(let exec):
            let file = String(decoding: exec.path, as: UTF8.self)
            let program: CheckedProgram
            do throws(MCExecError) {
                program = try ProgramCheck.check(path: file, name: file)
            } catch {
                // The loader PT_INTERP names missing is ENOENT; anything else not loadable, ENOEXEC.
                return .failure(error.status == .notFound ? .noEnt : .noExec)
            }
            guard ProgramLayout.refusal(program.load) == nil else { return .failure(.noExec) }
            return .success(NextProgram(program: program, arguments: exec.arguments, environment: exec.environment,
                                        executablePath: exec.executablePath))
        }
    }

    /// The first bytes of a file execve may run, or the errno it stops at: what opening
    /// it fails with; EACCES for anything but a regular file, a file the caller may not
    /// execute, or one on a file system mounted noexec.
    static func head(of path: [UInt8], noFollow: Bool) -> Result<[UInt8], Errno> {
        let name = String(decoding: path, as: UTF8.self)
        // O_NONBLOCK: a FIFO must not hold mcexec up; it is refused below.
        let fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else { return .failure(openError(errno)) }
        defer { close(fd) }
        var facts = stat()
        var volume = statvfs()
        guard fstat(fd, &facts) == 0, facts.st_mode & S_IFMT == S_IFREG,
              faccessat(AT_FDCWD, name, X_OK, AT_EACCESS) == 0,
              fstatvfs(fd, &volume) == 0, volume.f_flag & FileMapRequests.noExecMount == 0 else { return .failure(.acces) }
        var bytes = [UInt8](repeating: 0, count: ScriptLine.bufferBytes)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return .failure(.io) }
        return .success(Array(bytes[..<count]))
    }

    /// open(2)'s errno as execve would give it; a file mcexec may not read but the
    /// caller could execute (mode --x) is EACCES: mcexec cannot load what it cannot read.
    static func openError(_ code: Int32) -> Errno {
        switch code {
        case ENOENT: return .noEnt
        case ENOTDIR: return .notDir
        case ELOOP: return .loop
        case ENAMETOOLONG: return .nameTooLong
        case ENOMEM: return .noMem
        default: return .acces
        }
    }
}

/// The program an accepted execve runs next in the same process, with the strings its
/// initial stack gets.
struct NextProgram {
    var program: CheckedProgram
    var arguments: [[UInt8]]
    var environment: [[UInt8]]
    var executablePath: [UInt8]
}

/// The program an accepted execve runs next, from the proxy thread that accepted it to
/// the first thread's loop, which the LWK's MCOS_EVENT_EXEC reaches.
final class Successor: Sendable {
    /// The ELF image it holds is not Sendable, and never leaves the lock but by value.
    private let next = ForkSafeLock<NextProgram?>(nil)

    func offer(_ program: NextProgram) { next.withLock { $0 = program } }

    func take() -> NextProgram? {
        next.withLock { next in
            defer { next = nil }
            return next
        }
    }
}
