import ArgumentParser
import Foundation
import NodeControl

struct ModuleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "module",
        abstract: "Low-level operations on the mcos kernel module (like IHK's ihkconfig).",
        discussion: """
            apply and teardown use these steps for you; they are here to inspect the node and
            to repair it by hand. Changing anything needs root; query does not.
            """,
        subcommands: [ModuleQueryCommand.self, ModuleReserveCommand.self, ModuleReleaseCommand.self])
}

extension ModuleError {
    /// Prints the error and exits 1.
    func exit() -> ExitCode {
        Console.error("mcprov: \(description)")
        return ExitCode.failure
    }
}

/// Opens the control device, or explains that the module is missing and exits 1.
func openModule() throws -> ModuleClient {
    do {
        return try ModuleClient()
    } catch {
        throw error.exit()
    }
}
