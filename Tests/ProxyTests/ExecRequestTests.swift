import Foundation
import Glibc
import Kernel
import TestSupport
import Testing
@testable import mcexec

/// execve as mcexec reads and checks it: strings from the program's memory with
/// Linux's EFAULT, E2BIG and ENAMETOOLONG, execveat's directory and flags, and each
/// file's errno checked against the host's own execve of the same file.
@Suite struct ExecRequestTests {
    static let directory = Scratch.directory("exec")
    static let base = ProgramMemoryImage.base
    static let execve = UInt32(Syscall.execve.rawValue), execveat = UInt32(Syscall.execveat.rawValue)

    /// Memory holding `strings` NUL-terminated from base + 0x1000, and an array of
    /// pointers to them at base (NULL-terminated): the array's address and the memory.
    static func memory(_ strings: [String], size: Int = 0x10000) -> ProgramMemoryImage {
        let memory = ProgramMemoryImage([base: [UInt8](repeating: 0, count: size)])
        var at = base + 0x1000
        var pointers: [UInt64] = []
        for string in strings {
            memory.storeBytes(Array(string.utf8) + [0], at: at)
            pointers.append(at)
            at += UInt64(string.utf8.count + 1)
        }
        memory.storeWords(pointers + [0], at: base)
        return memory
    }

    @Test func readsPathArgumentsAndEnvironment() {
        let memory = Self.memory(["/bin/true", "a", "", "two words", "X=1"])
        // path = strings[0]; argv = [1, 2, 3] through a second array; envp = [4]
        let path = memory.word(at: Self.base)
        memory.storeWords([memory.word(at: Self.base + 8), memory.word(at: Self.base + 16), memory.word(at: Self.base + 24), 0], at: Self.base + 0x800)
        memory.storeWords([memory.word(at: Self.base + 32), 0], at: Self.base + 0x900)
        let request = try? ExecRequest.read(number: Self.execve, arguments: [path, Self.base + 0x800, Self.base + 0x900, 0, 0, 0],
                                            memory: memory, ownDescriptors: []).get()
        #expect(request?.path == Array("/bin/true".utf8))
        #expect(request?.executablePath == Array("/bin/true".utf8))
        #expect(request?.arguments == [Array("a".utf8), [], Array("two words".utf8)])
        #expect(request?.environment == [Array("X=1".utf8)])
    }

    @Test func hostilePointersAreEFAULT() {
        let memory = Self.memory(["/bin/true"])
        let path = memory.word(at: Self.base)
        func errno(_ a: [UInt64]) -> Errno? {
            if case .failure(let error) = ExecRequest.read(number: Self.execve, arguments: a + [0, 0, 0], memory: memory, ownDescriptors: []) { return error }
            return nil
        }
        #expect(errno([0, 0, 0]) == .fault, "a NULL path")
        #expect(errno([0xffff_8000_0000_0000, 0, 0]) == .fault, "a kernel-half path")
        #expect(errno([path, 0x1000, 0]) == .fault, "argv below the user range")
        #expect(errno([path, 0, 0x7fff_0000_0000]) == .fault, "envp the LWK has not mapped")
        memory.storeWords([0xdead_0000, 0], at: Self.base + 0x800)
        #expect(errno([path, Self.base + 0x800, 0]) == .fault, "argv naming a bad string")
        #expect(errno([path, 0, 0]) == nil, "NULL argv and envp are empty, as Linux takes them")
    }

    @Test func tooLongIsE2BIGOrENAMETOOLONG() {
        let long = String(repeating: "x", count: Int(ExecArguments.maximumStringBytes))  // with its NUL one too many
        let memory = Self.memory(["/bin/true", long, String(repeating: "p", count: Int(PATH_MAX))], size: 0x40000)
        let path = memory.word(at: Self.base)
        memory.storeWords([memory.word(at: Self.base + 8), 0], at: Self.base + 0x800)
        if case .failure(let error) = ExecRequest.read(number: Self.execve, arguments: [path, Self.base + 0x800, 0, 0, 0, 0], memory: memory, ownDescriptors: []) {
            #expect(error == .tooBig)
        } else {
            Issue.record("an argument of MAX_ARG_STRLEN bytes was taken")
        }
        let longPath = memory.word(at: Self.base + 16)
        if case .failure(let error) = ExecRequest.read(number: Self.execve, arguments: [longPath, 0, 0, 0, 0, 0], memory: memory, ownDescriptors: []) {
            #expect(error == .nameTooLong)
        } else {
            Issue.record("a path of PATH_MAX bytes was taken")
        }
    }

    @Test func execveatDirectoriesAndFlags() throws {
        let memory = Self.memory(["true", ""])
        let name = memory.word(at: Self.base), empty = memory.word(at: Self.base + 8)
        let bin = open("/usr/bin", O_RDONLY | O_DIRECTORY), file = open("/usr/bin/true", O_RDONLY)
        defer { close(bin); close(file) }
        func read(_ fd: Int32, _ path: UInt64, _ flags: UInt64, own: Set<Int32> = []) -> Result<ExecRequest, Errno> {
            ExecRequest.read(number: Self.execveat, arguments: [UInt64(UInt32(bitPattern: fd)), path, 0, 0, flags, 0], memory: memory, ownDescriptors: own)
        }
        let relative = try read(bin, name, 0).get()
        #expect(relative.path == Array("/proc/self/fd/\(bin)/true".utf8))
        #expect(relative.executablePath == Array("/dev/fd/\(bin)/true".utf8))
        let itself = try read(file, empty, ExecRequest.emptyPathFlag).get()
        #expect(itself.path == Array("/proc/self/fd/\(file)".utf8) && itself.executablePath == Array("/dev/fd/\(file)".utf8))
        #expect(throws: Errno.noEnt) { try read(file, empty, 0).get() }
        #expect(throws: Errno.notDir) { try read(file, name, 0).get() }
        #expect(throws: Errno.badf) { try read(9999, name, 0).get() }
        #expect(throws: Errno.badf) { try read(bin, name, 0, own: [bin]).get() }
        #expect(throws: Errno.inval) { try read(bin, name, 0x1) .get() }
        #expect(try read(Int32(AT_FDCWD), name, 0).get().path == Array("true".utf8))
    }

    /// What the host's own execve says of `path` (run in a child that execs it, with
    /// argv and envp of one string each); 0 when it ran.
    static func hostErrno(_ path: String) -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("A=1"), nil]
        defer { for p in argv + envp { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        if result != 0 { return result }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return 0
    }

    @Test func fileErrorsAreTheHostsOwn() throws {
        let dir = Self.directory.path
        let write = { (name: String, text: String, mode: mode_t) -> String in
            let path = dir + "/" + name
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            chmod(path, mode)
            return path
        }
        let garbage = write("garbage", "not a program\n", 0o755)
        let notExecutable = write("plain", "#!/bin/sh\necho\n", 0o644)
        let script = write("script", "#!/bin/sh\necho hi\n", 0o755)
        var chain = script
        for level in 1...6 { chain = write("chain\(level)", "#!\(chain)\n", 0o755) }
        let five = dir + "/chain4", six = dir + "/chain6"  // chain4 → ... → script: 5 #! lines; chain6: 7
        let missingInterpreter = write("nointerp", "#!/nonexistent/sh\n", 0o755)
        let cases: [(String, Int32)] = [
            (dir + "/missing", ENOENT), (garbage + "/x", ENOTDIR), (dir, EACCES), (notExecutable, EACCES),
            (garbage, ENOEXEC), (script, 0), (five, 0), (six, ELOOP), (missingInterpreter, ENOENT), ("/usr/bin/true", 0),
        ]
        for (path, expected) in cases {
            #expect(Self.hostErrno(path) == expected, "the host's execve of \(path)")
            let request = ExecRequest(path: Array(path.utf8), arguments: [Array(path.utf8)], environment: [], executablePath: Array(path.utf8))
            switch request.check(stackLimit: 8 << 20) {
            case .success(let next):
                #expect(expected == 0, "\(path): accepted, the host says \(expected)")
                if path == script { #expect(next.arguments == [Array("/bin/sh".utf8), Array(script.utf8)]) }
            case .failure(let error):
                #expect(error.rawValue == expected, "\(path): \(error), the host says \(expected)")
            }
        }
    }
}

extension ExecRequestTests {
    /// busybox runs its applets through /proc/self/exe: the program's, not mcexec's.
    @Test func procSelfExeIsTheProgram() throws {
        let memory = Self.memory(["/proc/self/exe", "/proc/4242/exe", "/proc/4243/exe"])
        func path(_ index: Int) throws -> [UInt8] {
            try ExecRequest.read(number: Self.execve, arguments: [memory.word(at: Self.base + UInt64(8 * index)), 0, 0, 0, 0, 0],
                                 memory: memory, ownDescriptors: [], executable: "/bin/busybox", pid: 4242).get().path
        }
        #expect(try path(0) == Array("/bin/busybox".utf8))
        #expect(try path(1) == Array("/bin/busybox".utf8))
        #expect(try path(2) == Array("/proc/4243/exe".utf8), "another process's")
    }
}
