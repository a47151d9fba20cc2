import Foundation
import TestSupport
import Testing

/// The command line as an admin or a script meets it: output streams and exit status.
@Suite struct CLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let executable: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mcprov")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/mcprov")
    }()

    func run(_ arguments: String...) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    let quad = Fixtures.topology("knl-16c-quadrant-flat.derived.xml")

    @Test func helpListsTheCommandsAndExitCodes() throws {
        let result = try run("--help")
        #expect(result.status == 0)
        for word in ["topology", "validate", "plan", "Exit status"] {
            #expect(result.stdout.contains(word))
        }
    }

    @Test func versionIsTheRelease() throws {
        // `make deb` takes the packages' version from this output.
        let result = try run("--version")
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+\n$"#, options: .regularExpression) != nil, "\(result.stdout)")
    }

    @Test func validProfileValidates() throws {
        let result = try run("validate", "profiles/knl-quad.yaml", "--topology", quad)
        #expect(result.status == 0)
        #expect(result.stdout.contains("profiles/knl-quad.yaml: valid for"))
        #expect(result.stdout.contains("48 CPUs"))
    }

    @Test func invalidProfileReportsEveryErrorWithItsPlace() throws {
        let bad = Fixtures.testData("ProvisioningTests", "BadProfiles/unknown-key.yaml").path
        let result = try run("validate", bad, "--topology", quad)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(bad):9:5: error: unknown key `cpu` in instance 0"))
        #expect(result.stderr.contains("hint: did you mean `cpus`?"))
        #expect(result.stderr.contains("3 errors; nothing was changed on the node."))
    }

    @Test func planExitCodes() throws {
        let plain = try run("plan", "profiles/knl-quad.yaml", "--topology", quad)
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("Plan: 5 to add, 0 to change, 0 to destroy."))
        let detailed = try run("plan", "profiles/knl-quad.yaml", "--topology", quad, "--detailed-exitcode")
        #expect(detailed.status == 2)
    }

    @Test func planAgainstTheSamePartitionHasNoChanges() throws {
        let json = try run("plan", "profiles/knl-quad.yaml", "--topology", quad, "--json")
        #expect(json.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["format_version"] as? Int == 1)
        let partition = try JSONSerialization.data(withJSONObject: try #require(document["partition"]))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mcprov-partition-\(getpid()).json")
        try partition.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let again = try run("plan", "profiles/knl-quad.yaml", "--topology", quad, "--current", file.path, "--detailed-exitcode")
        #expect(again.status == 0)
        #expect(again.stdout.contains("No changes. The node matches the profile."))
    }

    @Test func topologyJSONFromASyntheticDescription() throws {
        let result = try run("topology", "--json", "--topology", "synthetic:pack:2 numa:2 core:4 pu:2")
        #expect(result.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["cores"] as? Int == 16)
        #expect(document["pus"] as? Int == 32)
        #expect((document["numa_nodes"] as? [Any])?.count == 4)
    }

    @Test func missingFilesAreNamedWithARemedy() throws {
        let topology = try run("topology", "--topology", "/nonexistent/node.xml")
        #expect(topology.status == 1)
        #expect(topology.stderr.contains("topology file /nonexistent/node.xml does not exist"))
        #expect(topology.stderr.contains("lstopo --of xml"))
        let profile = try run("validate", "/nonexistent/p.yaml", "--topology", quad)
        #expect(profile.status == 1)
        #expect(profile.stderr.contains("profile /nonexistent/p.yaml does not exist"))
    }

    @Test func usageErrorsExit64() throws {
        let result = try run("plan", "--no-such-flag")
        #expect(result.status == 64)
    }
}

/// Commands that need the kernel module, on a host without it.
@Suite struct ModuleMissingTests {
    @Test(arguments: [["module", "query"], ["module", "reserve", "--cpus", "1"], ["module", "release", "--all"]])
    func sayTheModuleIsMissing(arguments: [String]) throws {
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(stderr.contains("kernel module not loaded (/dev/mcos-ctl does not exist)"))
        #expect(stderr.contains("hint: load it with `insmod mcos.ko real_mode_header=0x"))
    }
}
