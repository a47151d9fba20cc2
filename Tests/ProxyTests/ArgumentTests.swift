import Kernel
import Testing
@testable import mcexec

@Suite struct ArgumentTests {
    @Test func osNumberIsOptionalAndPositional() throws {
        #expect(try LaunchRequest(words: ["hostname"]) == LaunchRequest(instance: nil, program: "hostname", arguments: []))
        #expect(try LaunchRequest(words: ["1", "busybox", "ls", "-l", "/"]) == LaunchRequest(instance: 1, program: "busybox", arguments: ["ls", "-l", "/"]))
        #expect(try LaunchRequest(words: ["42"]) == LaunchRequest(instance: nil, program: "42", arguments: []), "a lone number is the program")
        #expect(try LaunchRequest(words: ["./7", "x"]).instance == nil)
        #expect(try LaunchRequest(words: ["0", "prog", "-h", "--help"]).arguments == ["-h", "--help"], "the program's options are its own")
        #expect(try LaunchRequest(words: ["prog", "a"]).argv == ["prog", "a"])
    }

    @Test func missingProgramAndStrayOptions() {
        #expect(throws: MCExecError.self) { try LaunchRequest(words: []) }
        #expect(throws: MCExecError.self) { try LaunchRequest(words: ["0", ""]) }
        do throws(MCExecError) { _ = try LaunchRequest(words: ["--bogus", "prog"]) } catch {
            #expect(error.message.contains("unknown option '--bogus'") && error.status == .failure)
        }
    }

    @Test func commandLineThroughArgumentParser() throws {
        let command = try MCExec.parseAsRoot(["-t", "4", "-h", "2M", "-s", "1M,1G", "-m", "0,2-3", "1", "busybox", "ls", "-t", "-h"]) as! MCExec
        #expect(command.options.threads == 4)
        #expect(command.options.heapExtension == "2M")
        #expect(command.options.stack == "1M,1G")
        #expect(command.options.numaMask == 0b1101, "-m 0,2-3")
        #expect((try MCExec.parseAsRoot(["prog"]) as! MCExec).options.numaMask == 0, "unbound")
        #expect((try MCExec.parseAsRoot(["-m", "31", "prog"]) as! MCExec).options.numaMask == 1 << 31)
        #expect(command.command == ["1", "busybox", "ls", "-t", "-h"], "everything from the first word on is the program's")
        #expect(throws: (any Error).self) { try MCExec.parseAsRoot(["-t", "0", "prog"]) }
        #expect(throws: (any Error).self) { try MCExec.parseAsRoot(["-h", "lots", "prog"]) }
        #expect(throws: (any Error).self) { try MCExec.parseAsRoot(["-s", "2M,1M", "prog"]) }
        #expect(throws: (any Error).self) { try MCExec.parseAsRoot(["-m", "3-1", "prog"]) }
        #expect(throws: (any Error).self) { try MCExec.parseAsRoot(["-m", "32", "prog"]) }
    }

    @Test func sizes() {
        #expect(SizeArgument("4096")?.bytes == 4096)
        #expect(SizeArgument("2M")?.bytes == 2 << 20 && SizeArgument("2m")?.bytes == 2 << 20)
        #expect(SizeArgument("1g")?.bytes == 1 << 30 && SizeArgument("3K")?.bytes == 3 << 10 && SizeArgument("1T")?.bytes == 1 << 40)
        for bad in ["", "M", "-1M", "1.5G", "1X", "99999999999T"] { #expect(SizeArgument(bad) == nil, "\(bad)") }
        #expect(StackArgument("2M") == StackArgument("2097152"))
        #expect(StackArgument("2M,1G")?.maximum == 1 << 30)
        #expect(StackArgument("2M,1M") == nil && StackArgument("1M,2M,3M") == nil && StackArgument(",1M") == nil)
        #expect(NodeList("0,2,4-6")?.nodes == [0, 2, 4, 5, 6])
        #expect(NodeList("") == nil && NodeList("1-") == nil && NodeList("a") == nil)
    }

    @Test func exitStatusAsAShellShowsIt() {
        #expect(ProgramEnd.exited(0).shellStatus == 0 && ProgramEnd.exited(0).shellMessage == nil)
        #expect(ProgramEnd.exited(42).shellStatus == 42)
        #expect(ProgramEnd.exited(256 + 3).shellStatus == 3, "only 8 bits reach the parent")
        #expect(ProgramEnd.exited(-1).shellStatus == 255)
        let segfault = ProgramEnd.signaled(11, coreDumped: true)
        #expect(segfault.shellStatus == 139 && segfault.shellMessage == "Segmentation fault (core dumped)")
        #expect(ProgramEnd.signaled(11, coreDumped: false).shellMessage == "Segmentation fault")
        #expect(ProgramEnd.signaled(9, coreDumped: false).shellMessage == "Killed")
        #expect(ProgramEnd.signaled(6, coreDumped: true).shellMessage == "Aborted (core dumped)")
        #expect(ProgramEnd.signaled(2, coreDumped: false).shellStatus == 130 && ProgramEnd.signaled(2, coreDumped: false).shellMessage == nil)
        #expect(ProgramEnd.signaled(13, coreDumped: false).shellMessage == nil)
        #expect(Signal.description(35) == "Real-time signal 1")
    }
}
