/// The strings execve hands to the new program and the room Linux gives them (its
/// linux_binprm: bprm_stack_limits, copy_strings, and the `#!` rewriting of
/// binfmt_script). The same errors at the same moments: E2BIG for a string over
/// MAX_ARG_STRLEN or for all of them over the room, ELOOP past five interpreters.
public struct ExecArguments: Equatable {
    /// MAX_ARG_STRLEN: one string with its NUL, 32 pages.
    public static let maximumStringBytes: UInt64 = 32 * 4096
    /// MAX_ARG_STRINGS: argc and envc each.
    public static let maximumStrings = 0x7fff_ffff
    /// ARG_MAX: the room every stack limit gets at least, 32 pages.
    public static let minimumRoom: UInt64 = 32 * 4096
    /// _STK_LIM / 4 * 3: the room never exceeds 6 MiB, however large the stack rlimit.
    public static let maximumRoom: UInt64 = (8 << 20) / 4 * 3
    /// Interpreter rewrites execve follows (exec_binprm's depth limit): a sixth is ELOOP.
    public static let maximumInterpreterDepth = 5

    /// AT_EXECFN: the path execve was given, kept through any `#!` rewriting.
    public var executablePath: [UInt8]
    public var arguments: [[UInt8]]
    public var environment: [[UInt8]]
    /// The file to load next (bprm->interp): the path given, then each interpreter's.
    public var path: [UInt8]
    /// Bytes the strings may take, fixed when execve starts: a quarter of the stack
    /// rlimit within [ARG_MAX, 6 MiB], less a pointer for each argv and envp entry.
    public var room: UInt64
    /// Bytes the strings take now, NULs included.
    public var used: UInt64

    /// Room for `argumentCount` and `environmentCount` strings under `stackLimit`
    /// (RLIMIT_STACK's soft value), or E2BIG when the pointers alone do not fit.
    public static func room(stackLimit: UInt64, argumentCount: Int, environmentCount: Int) throws(Errno) -> UInt64 {
        let limit = max(min(maximumRoom, stackLimit / 4), minimumRoom)
        // argc 0 still gets room for the "" argv[0] that execve adds.
        let pointers = UInt64(max(argumentCount, 1) + environmentCount) * 8
        guard limit > pointers else { throw .tooBig }
        return limit - pointers
    }

    /// Copies the strings in Linux's order (the path, the environment, the arguments)
    /// and checks each as it goes. An empty argv gets "" as argv[0], as Linux does since
    /// 5.18 so that no program walks into envp looking for argv[1].
    public init(path: [UInt8], arguments: [[UInt8]], environment: [[UInt8]], stackLimit: UInt64) throws(Errno) {
        guard arguments.count <= Self.maximumStrings, environment.count <= Self.maximumStrings else { throw .tooBig }
        room = try Self.room(stackLimit: stackLimit, argumentCount: arguments.count, environmentCount: environment.count)
        used = 0
        executablePath = path
        self.path = path
        self.arguments = []
        self.environment = []
        try take(path)
        for variable in environment { try take(variable) }
        for argument in arguments { try take(argument) }
        self.environment = environment
        self.arguments = arguments
        if arguments.isEmpty {
            try take([])
            self.arguments = [[]]
        }
    }

    /// Accounts for one string: E2BIG when it alone is over MAX_ARG_STRLEN or the room
    /// is used up.
    mutating func take(_ string: [UInt8]) throws(Errno) {
        let bytes = UInt64(string.count) + 1
        guard bytes <= Self.maximumStringBytes, bytes <= room - used else { throw .tooBig }
        used += bytes
    }

    /// binfmt_script's rewrite: argv[0] is dropped and replaced by the interpreter, its
    /// argument if any, and the script's path, so `#!/bin/sh -e` run as `./s a` gets
    /// `/bin/sh -e ./s a`. The next file to load is the interpreter.
    public mutating func interpret(_ line: ScriptLine) throws(Errno) {
        if let first = arguments.first {
            used -= UInt64(first.count) + 1
            arguments.removeFirst()
        }
        var front: [[UInt8]] = [line.interpreter]
        if let argument = line.argument { front.append(argument) }
        front.append(path)
        for string in front.reversed() { try take(string) }
        arguments = front + arguments
        path = line.interpreter
    }

    /// Follows `#!` lines from `path` to the program to load, as execve does: `readHead`
    /// opens a file and gives its first bytes (or the errno opening it fails with). The
    /// result's `path` is the file for the ELF loader (which answers ENOEXEC if it is
    /// not ELF either).
    public static func resolve(
        path: [UInt8], arguments: [[UInt8]], environment: [[UInt8]], stackLimit: UInt64,
        readHead: ([UInt8]) -> Result<[UInt8], Errno>
    ) -> Result<ExecArguments, Errno> {
        var exec: ExecArguments
        do throws(Errno) {
            exec = try ExecArguments(path: path, arguments: arguments, environment: environment, stackLimit: stackLimit)
        } catch { return .failure(error) }
        var head: [UInt8]
        switch readHead(path) {
        case .success(let bytes): head = bytes
        case .failure(let error): return .failure(error)
        }
        var depth = 0
        while true {
            guard depth <= maximumInterpreterDepth else { return .failure(.loop) }
            switch ScriptLine.parse(head) {
            case .notScript: return .success(exec)
            case .refused(let error): return .failure(error)
            case .script(let line):
                do throws(Errno) { try exec.interpret(line) } catch { return .failure(error) }
                // Linux opens the interpreter while still handling the script.
                switch readHead(line.interpreter) {
                case .success(let bytes): head = bytes
                case .failure(let error): return .failure(error)
                }
            }
            depth += 1
        }
    }
}
