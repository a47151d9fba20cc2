import Foundation
import Testing
import TestSupport
@testable import Kernel

/// `#!` lines and the argv they make, each case also run through the host's own execve
/// (a helper that prints its argv, reached through scripts written here), so the parse
/// and the errors are Linux's and not a reading of its source.
@Suite struct ScriptLineTests {
    static let showArguments = """
        #include <stdio.h>
        int main(int argc, char **argv) { for (int i = 0; i < argc; i++) printf("[%s]\\n", argv[i]); return 0; }
        """
    static let tryExec = """
        #include <errno.h>
        #include <stdio.h>
        #include <unistd.h>
        int main(int argc, char **argv) { execv(argv[1], argv + 1); printf("errno %d\\n", errno); return 1; }
        """

    struct Host {
        var directory: URL
        var show: String
        var exec: String

        init() throws {
            directory = Scratch.directory("script")
            show = try ELFFixtures.compile(ScriptLineTests.showArguments, flags: [], name: "show")
            exec = try ELFFixtures.compile(ScriptLineTests.tryExec, flags: [], name: "try-exec")
        }

        func script(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
            return path
        }

        /// What Linux's execve of `path` with `arguments` gives: the argv or the errno.
        func run(_ path: String, _ arguments: [String]) throws -> Result<[String], Errno> {
            let output = try ELFFixtures.run(exec, [path] + arguments).output
            if output.hasPrefix("errno ") { return .failure(Errno(rawValue: Int32(output.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))!)!) }
            return .success(output.split(separator: "\n").map { String($0.dropFirst().dropLast()) })
        }
    }

    /// What this logic makes of the same execve, reading files from the host.
    static func resolve(_ path: String, _ arguments: [String], stackLimit: UInt64 = 8 << 20) -> Result<[String], Errno> {
        let result = ExecArguments.resolve(
            path: Array(path.utf8), arguments: [Array(path.utf8)] + arguments.map { Array($0.utf8) }, environment: [],
            stackLimit: stackLimit
        ) { file in
            guard let handle = FileHandle(forReadingAtPath: String(decoding: file, as: UTF8.self)) else { return .failure(.noEnt) }
            return .success([UInt8](handle.readData(ofLength: 256)))
        }
        return result.map { $0.arguments.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func linesAsTheHostReadsThem() throws {
        let host = try Host()
        let show = Array(host.show.utf8)
        let space = Array(" ".utf8), tab: [UInt8] = [9], newline: [UInt8] = [10]
        let lines: [(String, [UInt8])] = [
            ("plain", show + newline),
            ("argument", show + space + Array("-x".utf8) + newline),
            ("spaces-kept-in-argument", space + tab + show + tab + Array("-a  b".utf8) + space + tab + newline),
            ("trailing-blanks", show + space + tab + space + newline),
            ("no-newline", show + space + Array("arg".utf8)),
            ("carriage-return", show + space + Array("-x\r".utf8) + newline),
            ("nul-ends-argument", show + space + Array("a".utf8) + [0] + Array("b".utf8) + newline),
            ("nul-ends-name", show + [0] + Array(" x".utf8) + newline),
            ("long-argument", show + space + [UInt8](repeating: 0x61, count: 300)),
            ("name-cut-by-buffer", [UInt8](repeating: 0x2f, count: 300)),
            ("only-blanks", [UInt8](repeating: 0x20, count: 300)),
            ("empty-line", newline),
            ("blanks-then-newline", space + tab + newline),
            ("missing-interpreter", Array("/nonexistent/sh\n".utf8)),
        ]
        for (name, line) in lines {
            let path = try host.script(name, Array("#!".utf8) + line + Array("\necho not reached\n".utf8))
            let linux = try host.run(path, ["one", "two"])
            #expect(Self.resolve(path, ["one", "two"]) == linux, "\(name)")
        }
    }

    @Test func parsedParts() {
        #expect(ScriptLine.parse(Array("#!/bin/sh -e -u\n".utf8)) == .script(ScriptLine(interpreter: Array("/bin/sh".utf8), argument: Array("-e -u".utf8))))
        #expect(ScriptLine.parse(Array("#! /bin/sh\n".utf8)) == .script(ScriptLine(interpreter: Array("/bin/sh".utf8), argument: nil)))
        #expect(ScriptLine.parse(Array("\u{7f}ELF".utf8)) == .notScript)
        #expect(ScriptLine.parse(Array("#".utf8)) == .notScript)
        // "#!" alone: the zero padding makes an empty name, which open_exec refuses.
        #expect(ScriptLine.parse(Array("#!".utf8)) == .refused(.noEnt))
        #expect(ScriptLine.parse(Array("#!\0/bin/sh\n".utf8)) == .refused(.noEnt))
    }

    /// Five interpreters deep runs, the sixth is ELOOP: against the host too.
    @Test func nestingStopsWhereLinuxStops() throws {
        let host = try Host()
        var previous = host.show
        var chain: [String] = []
        for level in 1...6 {
            previous = try host.script("level\(level)", Array("#!\(previous) from-\(level)\n".utf8))
            chain.append(previous)
        }
        let fifth = try host.run(chain[4], ["x"]), sixth = try host.run(chain[5], ["x"])
        #expect(sixth == .failure(.loop))
        #expect(Self.resolve(chain[4], ["x"]) == fifth)
        #expect(Self.resolve(chain[5], ["x"]) == sixth)
        guard case .success(let argv) = fifth else { Issue.record("five levels should run: \(fifth)"); return }
        #expect(argv.first == host.show && argv.last == "x" && argv.count == 12)
    }

    @Test func argumentRoomIsLinuxs() throws {
        // A quarter of the stack rlimit, within [ARG_MAX, 6 MiB], less the pointers.
        #expect(try ExecArguments.room(stackLimit: 8 << 20, argumentCount: 1, environmentCount: 1) == (2 << 20) - 16)
        #expect(try ExecArguments.room(stackLimit: 64 << 20, argumentCount: 0, environmentCount: 0) == (6 << 20) - 8)
        #expect(try ExecArguments.room(stackLimit: 4096, argumentCount: 2, environmentCount: 0) == 131072 - 16)
        #expect(throws: Errno.tooBig) { try ExecArguments.room(stackLimit: 0, argumentCount: 20000, environmentCount: 0) }

        let long = [UInt8](repeating: 0x61, count: 131071)
        #expect(throws: Errno.tooBig) { try ExecArguments(path: [0x2f], arguments: [long + [0x61]], environment: [], stackLimit: 8 << 20) }
        let fits = try ExecArguments(path: [0x2f], arguments: [long], environment: [], stackLimit: 8 << 20)
        #expect(fits.used == 131072 + 2)
        // Eleven strings of 128 KiB overflow a 4 MiB stack's 1 MiB room.
        #expect(throws: Errno.tooBig) {
            try ExecArguments(path: [0x2f], arguments: [[UInt8]](repeating: long, count: 8), environment: [], stackLimit: 4 << 20)
        }
        let empty = try ExecArguments(path: [0x2f], arguments: [], environment: [Array("A=1".utf8)], stackLimit: 8 << 20)
        #expect(empty.arguments == [[]], "argv[0] is \"\" when execve gets none")
        #expect(empty.executablePath == [0x2f] && empty.used == 2 + 4 + 1)
    }

    @Test func scriptRewriteAccounting() throws {
        var exec = try ExecArguments(path: Array("./s".utf8), arguments: [Array("s".utf8), Array("a".utf8)], environment: [], stackLimit: 8 << 20)
        let before = exec.used
        try exec.interpret(ScriptLine(interpreter: Array("/bin/sh".utf8), argument: Array("-e".utf8)))
        #expect(exec.arguments == ["/bin/sh", "-e", "./s", "a"].map { Array($0.utf8) })
        #expect(exec.used == before - 2 + 8 + 3 + 4)
        #expect(exec.path == Array("/bin/sh".utf8) && exec.executablePath == Array("./s".utf8))
    }
}
