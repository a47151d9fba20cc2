import CMcosABI
import Foundation
import NodeBasics
import TestSupport
import Kernel
import NodeControl
import Testing
@testable import mcexec

/// Every refusal before the LWK, in the order mcexec meets them, each with its remedy.
@Suite struct PreflightTests {
    struct FixedProbe: InstanceProbe {
        var result: Result<InstanceState, ModuleError>
        var applied: [Int]? = [0]
        func appliedInstances() -> [Int]? { applied }
        var lwkCPUs = 2
        func state(of instance: Int) throws(ModuleError) -> InstanceState { try result.get() }
        func cpus(of instance: Int) throws(ModuleError) -> Int { _ = try result.get(); return lwkCPUs }
        func reservedCPUs(of instance: Int) throws(ModuleError) -> [ReservedCPU] {
            _ = try result.get()
            return (0..<lwkCPUs).map { ReservedCPU(cpu: 4 + $0, apicID: 4 + $0, numaNode: 0, instance: instance) }
        }
    }

    static let running = FixedProbe(result: .success(.running))

    static let directory: URL = {
        Scratch.directory("mcexec")
    }()

    static func file(_ name: String, _ contents: [UInt8], mode: Int = 0o755) -> String {
        let path = directory.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents), attributes: [.posixPermissions: mode])
        return path
    }

    /// gcc-built programs, once per run.
    static let programs: [String: String] = {
        let source = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 42; }\n"
        var built: [String: String] = [:]
        for (name, flags) in [("static", ["-static"]), ("static-pie", ["-static-pie"]), ("dynamic", [] as [String])] {
            let path = directory.appendingPathComponent(name).path
            let sourcePath = path + ".c"
            try! source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/gcc")
            process.arguments = flags + ["-o", path, sourcePath]
            process.standardError = FileHandle.nullDevice
            try! process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0 { built[name] = path }
        }
        return built
    }()

    func failure(_ program: String, instance: Int? = nil, path: String? = nil, probe: some InstanceProbe = PreflightTests.running) -> MCExecError? {
        do throws(MCExecError) {
            _ = try MCExec.prepare(LaunchRequest(instance: instance, program: program, arguments: []),
                                   environment: ["PATH": path ?? Self.directory.path], probe: probe)
            return nil
        } catch { return error }
    }

    @Test func notFound() throws {
        let missing = try #require(failure("/nonexistent/prog"))
        #expect(missing.status == .notFound && missing.message.contains("/nonexistent/prog: no such file"))
        let notInPath = try #require(failure("no-such-program-here"))
        #expect(notInPath.status == .notFound && notInPath.message.contains("not found in PATH") && notInPath.remedy != nil)
    }

    @Test func notExecutableOrNotAProgram() throws {
        let plain = Self.file("plain", [0x7f, 0x45, 0x4c, 0x46], mode: 0o644)
        let notExecutable = try #require(failure(plain))
        #expect(notExecutable.status == .cannotExecute && notExecutable.message.contains("not executable") && notExecutable.remedy!.contains("chmod +x"))

        let directoryError = try #require(failure(Self.directory.path))
        #expect(directoryError.message.contains("is a directory"))

        let text = try #require(failure(Self.file("text", Array("echo hi\n".utf8))))
        #expect(text.message.contains("not an ELF file") && text.status == .cannotExecute)

        let truncated = try #require(failure(Self.file("truncated", [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])))
        #expect(truncated.message.contains("truncated") && truncated.status == .cannotExecute)
    }

    @Test func scriptsRunTheirInterpreter() throws {
        let interpreter = try #require(Self.programs["static"])
        let script = Self.file("script.sh", Array("#!\(interpreter)  -x y \nwhatever\n".utf8))
        let request = LaunchRequest(instance: 0, program: script, arguments: ["a", "b"])
        let program = try MCExec.prepare(request, environment: [:], probe: Self.running).program
        #expect(program.path == interpreter && program.scriptArgv == [interpreter, "-x y", script, "a", "b"])
        let missing = try #require(failure(Self.file("lost.sh", Array("#!/nonexistent/sh\n".utf8))))
        #expect(missing.status == .notFound)
        let empty = try #require(failure(Self.file("empty.sh", Array("#!   \n".utf8))))
        #expect(empty.status == .cannotExecute && empty.message.contains("#! line"))
        // A script whose interpreter is a script: each level's argv in front of the next, as binfmt_script builds it.
        let nestedScript = Self.file("nested.sh", Array("#!\(script)\n".utf8))
        let nested = try MCExec.prepare(LaunchRequest(instance: 0, program: nestedScript, arguments: ["c"]), environment: [:], probe: Self.running).program
        #expect(nested.path == interpreter && nested.scriptArgv == [interpreter, "-x y", script, nestedScript, "c"])
        // Five levels of #! run (the fifth names the program); a sixth is too many, as for Linux (ELOOP).
        var chain = script
        for level in 2...5 { chain = Self.file("chain\(level).sh", Array("#!\(chain)\n".utf8)) }
        #expect(try MCExec.prepare(LaunchRequest(instance: 0, program: chain, arguments: []), environment: [:], probe: Self.running).program.path == interpreter)
        let tooDeep = try #require(failure(Self.file("chain6.sh", Array("#!\(chain)\n".utf8))))
        #expect(tooDeep.status == .cannotExecute && tooDeep.message.contains("too many levels"))
        let notExecutable = try #require(failure(Self.file("plain.sh", Array("#!/bin/sh\n".utf8), mode: 0o644)))
        #expect(notExecutable.message.contains("not executable"))
    }

    @Test func wrongArchitecture() throws {
        var arm = [UInt8](repeating: 0, count: 64)
        arm.replaceSubrange(0..<7, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
        arm[16] = 2; arm[18] = 183; arm[20] = 1
        let error = try #require(failure(Self.file("arm64", arm)))
        #expect(error.message.contains("another architecture") && error.remedy!.contains("x86-64"))
        // A 32-bit x86 ELF header, made by hand: gcc -m32 needs multilib, which build
        // machines often lack, and the header is all the check reads.
        var i386 = [UInt8](repeating: 0, count: 64)
        i386.replaceSubrange(0..<7, with: [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1])
        i386[16] = 2; i386[18] = 3; i386[20] = 1
        let error32 = try #require(failure(Self.file("i386", i386)))
        #expect(error32.message.contains("32-bit"))
    }

    @Test func dynamicExecutablesArePlannedWithTheirLoader() throws {
        let dynamic = try #require(Self.programs["dynamic"])
        let request = LaunchRequest(instance: 0, program: dynamic, arguments: [])
        let program = try MCExec.prepare(request, environment: [:], probe: Self.running).program
        let interpreter = try #require(program.load.interpreter)
        #expect(program.interpreterPath?.contains("ld-linux") == true)
        #expect(program.load.entry == interpreter.entry && program.load.entry != program.plan.entry, "ld.so runs first")
        #expect(program.load.interpreterBase == interpreter.loadBias && interpreter.loadBias > program.plan.programBreak)
        #expect(interpreter.mappings.last!.end <= UInt64(MCOS_USER_MMAP_TOP))
        #expect(ProgramLayout.refusal(program.load) == nil)
        #expect(ProgramLayout.segments(program.load).count == program.plan.mappings.count + interpreter.mappings.count)
    }

    @Test func aMissingDynamicLoaderIsNotFound() throws {
        let dynamic = try #require(Self.programs["dynamic"])
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: dynamic)))
        let loader = Array("/lib64/ld-linux-x86-64.so.2".utf8), elsewhere = Array("/nonexist/ld-linux-x86-64.2".utf8)
        let at = try #require((0...(bytes.count - loader.count)).first { bytes[$0..<($0 + loader.count)].elementsEqual(loader) })
        bytes.replaceSubrange(at..<(at + loader.count), with: elsewhere)
        let error = try #require(failure(Self.file("lost-loader", bytes)))
        #expect(error.status == .notFound && error.message.contains("/nonexist/ld-linux-x86-64.2 does not exist"))
    }

    @Test func staticProgramsPassOnARunningInstance() throws {
        for name in ["static", "static-pie"] {
            let path = try #require(Self.programs[name])
            #expect(failure(path) == nil)
            #expect(failure(name) == nil, "found in PATH")
        }
    }

    @Test func instanceStates() throws {
        let path = try #require(Self.programs["static"])
        let notLoaded = try #require(failure(path, probe: FixedProbe(result: .failure(.notLoaded("find OS 0")))))
        #expect(notLoaded.message == "no LWK: the mcos kernel module is not loaded")
        #expect(notLoaded.remedy!.contains("mcprov apply") && notLoaded.remedy!.contains("insmod"))
        let nothingApplied = try #require(failure(path, probe: FixedProbe(result: .failure(.notLoaded("find OS 0")), applied: nil)))
        #expect(nothingApplied.message.hasSuffix("(no profile is applied on this node)"))

        let missing = ModuleError(kind: .noSuchInstance, operation: "open OS 3", message: "/dev/mcos3 does not exist", remedy: "", errno: ENOENT)
        let noInstance = try #require(failure(path, instance: 3, probe: FixedProbe(result: .failure(missing))))
        #expect(noInstance.message == "OS 3 does not exist" && noInstance.status == .failure)

        for state in [InstanceState.inactive, .shutdown, .loaded, .panic, .booting] {
            let error = try #require(failure(path, probe: FixedProbe(result: .success(state))))
            #expect(error.message.contains("OS 0 is") && error.remedy != nil, "\(state)")
        }
        let panic = try #require(failure(path, probe: FixedProbe(result: .success(.panic))))
        #expect(panic.remedy!.contains("mcprov kmsg"))
    }

    @Test func choosingTheInstance() {
        #expect(InstanceCheck.choose(requested: 3, probe: FixedProbe(result: .success(.running), applied: [0])) == 3)
        #expect(InstanceCheck.choose(requested: nil, probe: FixedProbe(result: .success(.running), applied: [4, 2])) == 2)
        #expect(InstanceCheck.choose(requested: nil, probe: FixedProbe(result: .success(.running), applied: nil)) == 0, "McKernel's default")
        #expect(InstanceCheck.choose(requested: nil, probe: FixedProbe(result: .success(.running), applied: [])) == 0)
    }

    @Test func dashCNamesAnLWKCPUNotAContext() throws {
        let fourCPUs = FixedProbe(result: .success(.running), lwkCPUs: 4)
        try InstanceCheck.requireCPU(nil, of: 0, probe: fourCPUs)
        try InstanceCheck.requireCPU(3, of: 0, probe: fourCPUs)
        // With time_sharing the module has 8 contexts a CPU: 4 would be CPU 0's second.
        var refused: MCExecError?
        do throws(MCExecError) { try InstanceCheck.requireCPU(4, of: 2, probe: fourCPUs) } catch { refused = error }
        let past = try #require(refused)
        #expect(past.message == "OS 2 has no LWK CPU 4: it has 4 (0-3)" && past.status == .failure && past.remedy!.contains("mcprov status"))
    }

    @Test func programChecksComeBeforeTheKernel() throws {
        // A probe that would fail is never reached when the program is wrong.
        let error = try #require(failure("/nonexistent", probe: FixedProbe(result: .failure(.notLoaded("x")))))
        #expect(error.status == .notFound)
    }

    @Test func aStaticPIEIsPlannedInTheUnifiedRange() throws {
        let path = try #require(Self.programs["static-pie"])
        let request = LaunchRequest(instance: nil, program: path, arguments: [])
        let (program, instance) = try MCExec.prepare(request, environment: [:], probe: FixedProbe(result: .success(.running), applied: [2, 1]))
        #expect(instance == 1, "the applied profile's first instance")
        #expect(program.plan.loadBias == UInt64(MCOS_USER_PIE_BASE))
        #expect(ProgramLayout.refusal(program.plan) == nil)
        let statik = try MCExec.prepare(LaunchRequest(instance: 0, program: try #require(Self.programs["static"]), arguments: []),
                                        environment: [:], probe: Self.running).program
        #expect(statik.plan.loadBias == 0 && ProgramLayout.refusal(statik.plan) == nil)
    }
}
