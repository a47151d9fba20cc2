import ArgumentParser
import Logging
import NodeBasics

@main
struct MCProv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcprov",
        abstract: "Partition a compute node between Linux and a lightweight kernel (LWK).",
        discussion: """
            An admin describes the partition in a YAML profile (see profiles/ and the README).
            mcprov resolves it against the node's topology, shows the plan, and applies it.

            Exit status: 0 success (for plan: no changes), 1 error (invalid profile, the
            profile does not fit the node, a failed operation; apply leaves the node as it
            was), 2 changes pending (plan --detailed-exitcode) or drift (status), 3 nothing
            applied (status), 64 usage error.
            """,
        version: Release.version,
        subcommands: [
            TopologyCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self,
            KmsgCommand.self, TeardownCommand.self, ModuleCommand.self,
        ]
    )
}
