import Foundation
import NodeBasics
import TestSupport
import Testing
@testable import mcexec

/// mcexec as a user meets it: the built binary, its stderr and exit status.
@Suite struct CommandLineTests {
    static let executable: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcexec")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/mcexec").path
    }()

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func helpShowsTheUsage() throws {
        let result = try run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("mcexec [options] [<os#>] <program> [args…]"))
        #expect(result.stdout.contains("-h <size>") && result.stdout.contains("static"))
    }

    @Test func versionAndHelpDumpAreArgumentParsers() throws {
        // Both come before any program, where the passthrough would take them.
        let version = try run(["--version"])
        #expect(version.status == 0 && version.stdout == "\(Release.version)\n")
        let dump = try run(["--experimental-dump-help"])
        #expect(dump.status == 0 && dump.stdout.contains("\"commandName\" : \"mcexec\""))
    }

    @Test func refusalsExitAsAShellWould() throws {
        let missing = try run(["/nonexistent/prog"])
        #expect(missing.status == 127 && missing.stderr.hasPrefix("mcexec: /nonexistent/prog: no such file"))
        let notAProgram = try run(["/etc/passwd"])
        #expect(notAProgram.status == 126)
        let badOption = try run(["-t", "0", "prog"])
        #expect(badOption.status == 64 && badOption.stderr.contains("-t must be at least 1"))
        let none = try run([])
        #expect(none.status == 1 && none.stderr.contains("no program given"))
    }

    /// A static program gets past every program check; on a machine without the module
    /// the next refusal is that, with the remedy.
    @Test func staticProgramReachesTheKernelChecks() throws {
        guard !FileManager.default.fileExists(atPath: "/dev/mcos-ctl") else { return }
        let program = try #require(PreflightTests.programs["static"])
        let result = try run([program, "arg"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the mcos kernel module is not loaded") && result.stderr.contains("insmod") && result.stderr.contains("mcprov apply"))
        #expect(result.stdout.isEmpty, "nothing pretends to run")
        // a dynamic one too: it is loaded with its ld.so now
        let dynamic = try run(["/bin/sh", "-c", "true"])
        #expect(dynamic.status == 1 && dynamic.stderr.contains("the mcos kernel module is not loaded"))
    }
}
