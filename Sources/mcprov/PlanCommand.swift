import ArgumentParser
import Foundation
import NodeControl
import NodeOperations
import Provisioning

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what applying a profile would change on the node, without changing anything.",
        discussion: """
            Steps are marked + add, ~ change in place, - destroy, -/+ replace, and each says
            whether it applies in place, restarts the LWK or replaces the partition.
            Exit status: 0 success, 1 error; with --detailed-exitcode, 0 no changes, 2 changes
            pending, 1 error.
            """)

    @Argument(help: "The profile (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var profile: String

    @OptionGroup var node: NodeOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Compare with this partition (JSON, as `plan --json` prints under \"partition\") instead of what is applied on the node.",
            valueName: "FILE"))
    var current: String?

    @Option(help: ArgumentHelp("Save the plan for `mcprov apply --plan-file`, which refuses it if the node changes meanwhile (live node only).", valueName: "FILE"))
    var out: String?

    @Flag(help: "Print the plan as JSON (format_version 1).")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when there are changes, 0 when there are none.")
    var detailedExitCode = false

    func run() throws {
        // What is applied: a partition given by hand, else, on the live node with the
        // module loaded, what the module holds (reconciled with the state record).
        var liveState: NodeState?
        if current == nil, node.source.isLive, ModuleClient.isLoaded {
            liveState = try readNodeState(try openModule())
            liveState?.notes.forEach { Console.error("mcprov: \($0)") }
        }
        let topology = try planningTopology(try node.loadTopology(logger: node.makeLogger()), state: liveState)
        let plan = try ProfileLoading.plan(profileAt: profile, topology: topology, against: try baseline(liveState))
        Console.out(json ? try PlanRenderer.json(plan) : PlanRenderer.text(plan))
        if let out {
            guard let liveState else {
                Console.error("mcprov: --out saves plans for this node only: it needs the live topology and the kernel module loaded")
                throw ExitCode.failure
            }
            let saved = SavedPlan(plan: plan, profile: .of(profileAt: profile, name: plan.profile.name), made: liveState)
            try encodeJSON(saved).write(toFile: out, atomically: true, encoding: .utf8)
            Console.out("\nSaved the plan to \(out); apply it with `mcprov apply --plan-file \(out)`.")
        }
        if detailedExitCode && plan.hasChanges {
            throw ExitCode(2)
        }
    }

    private func baseline(_ liveState: NodeState?) throws -> PlanBaseline {
        if let current { return .partition(try readPartition(current)) }
        return liveState.map(PlanBaseline.node) ?? .nothing
    }

    private func readPartition(_ path: String) throws -> Partition {
        do {
            return try decodePartition(Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            Console.error("mcprov: cannot read partition \(path): \(error.localizedDescription)\n  hint: give a file written from `mcprov plan --json`'s \"partition\" field")
            throw ExitCode.failure
        }
    }
}
