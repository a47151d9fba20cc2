import ArgumentParser
import Foundation
import NodeControl
import NodeOperations

struct TeardownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teardown",
        abstract: "Shut the LWK down and give every CPU and all memory back to Linux.",
        discussion: """
            Works from what the kernel module holds, so it needs no state record and cleans up
            after a crashed apply too. Refuses while programs run on the LWK unless --force.
            Doing it twice is harmless. Exit status: 0 done or nothing to do, 1 error.
            """)

    @Flag(help: "End programs running on the LWK instead of refusing.")
    var force = false

    @Option(help: "Seconds to wait for another mcprov holding the node lock.")
    var lockTimeout: Double = 300

    func run() throws {
        let module = try openModule()
        let store = StateStore()
        do {
            let lock = try ApplyLock(directory: store.directory, purpose: "mcprov teardown", timeout: lockTimeout)
            defer { withExtendedLifetime(lock) {} }
            Console.out("Tearing down:")
            let changed = try Teardown(module: module, store: store) { Console.out($0) }.run(force: force)
            Console.out(changed ? "Teardown complete: every CPU and all memory are back with Linux." : "  nothing to tear down: the module holds nothing.")
        } catch let error as ModuleError {
            throw error.exit()
        } catch {
            Console.error("mcprov: teardown: \(error)")
            throw ExitCode.failure
        }
    }
}
