import ArgumentParser
import Foundation
import Kernel

/// `mcexec [options] [<os#>] <program> [args…]`: runs a Linux program on the LWK and
/// serves its system calls on Linux. Today it does every check that comes before the
/// LWK (the program, the module, the instance) and then says plainly that the LWK
/// cannot run programs yet.
@main
struct MCExec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcexec",
        abstract: "Run a static Linux program on the lightweight kernel (LWK).",
        usage: "mcexec [options] [<os#>] <program> [args…]",
        discussion: """
            The program runs on OS instance <os#> (default: the first instance of the \
            profile applied with `mcprov apply`, else 0). \
            It must be a static x86-64 executable (gcc -static or -static-pie). \
            Options go before the program; everything after it is the program's \
            (options are checked today and take effect once programs run). \
            Exit status: 127 if the program is not found, 126 if it cannot run on the \
            LWK, 64 for a bad option, 1 if the LWK is not ready; once programs run, \
            the program's own status, or 128+N if it dies by signal N.
            """,
        helpNames: [.long]  // -h is McKernel's heap option
    )

    @OptionGroup var options: LaunchOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("[<os#>] <program> [args…]", valueName: "command"))
    var command: [String] = []

    func run() throws {
        // The passthrough argument takes every word, --help included, once options end.
        if command.first == "--help" { throw CleanExit.helpRequest(self) }
        do throws(MCExecError) {
            let request = try LaunchRequest(words: command)
            let (program, instance) = try Self.prepare(request, environment: ProcessInfo.processInfo.environment, probe: LiveInstanceProbe())
            throw Self.notRunnableYet(program, name: request.program, instance: instance)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(error.status.rawValue)
        }
    }

    /// Every check before the LWK is asked to do anything, program first (no kernel
    /// needed for those), then the instance.
    static func prepare(_ request: LaunchRequest, environment: [String: String], probe: some InstanceProbe) throws(MCExecError) -> (program: CheckedProgram, instance: Int) {
        let path = try ProgramCheck.resolve(request.program, searchPath: environment["PATH"])
        let program = try ProgramCheck.check(path: path, name: request.program)
        let instance = InstanceCheck.choose(requested: request.instance, probe: probe)
        try InstanceCheck.requireRunning(instance, probe: probe)
        return (program, instance)
    }

    /// The honest end of the line until issue 6's loader and offload path exist.
    static func notRunnableYet(_ program: CheckedProgram, name: String, instance: Int) -> MCExecError {
        let kind = program.image.linking == .staticPIE ? "static-PIE" : "static"
        return MCExecError(
            "the LWK cannot run programs yet: \(name) is a valid \(kind) x86-64 executable "
                + "(\(program.plan.mappings.count) segments, entry 0x\(String(program.plan.entry, radix: 16))) and OS \(instance) is running, "
                + "but loading programs onto the LWK and offloading their system calls is not implemented",
            remedy: "run it on Linux for now; mcexec support is tracked in issue 6", status: .failure)
    }
}
