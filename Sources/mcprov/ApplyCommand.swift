import ArgumentParser
import Foundation
import Logging
import NodeControl
import NodeOperations
import Provisioning

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the node match a profile: reserve, create, load and boot the LWK.",
        discussion: """
            Shows the plan first and asks for confirmation on a terminal (--auto-approve, or
            standard input not a terminal, applies without asking). One apply at a time: a
            lock in /run/mcprov names its holder. Growing or shrinking an applied instance's
            CPUs or memory restarts its LWK on the changed resources (only the differences
            are reserved or released); removing an instance shuts it down and gives its
            resources back. Any failure, or SIGINT/SIGTERM, undoes the steps done so far in
            reverse order and leaves the node as it was (a changed instance boots again with
            its previous CPUs, memory, image and kernel arguments). The LWK's kernel
            arguments are the profile's kernel.args: pti=on, for one, runs its programs on
            page tables that do not map the LWK's memory (page-table isolation, as Linux's
            pti=on; off by default, see the README's "Security model").
            Exit status: 0 applied (or nothing to do), 1 error (the node is as before).
            """)

    @Argument(help: "The profile (YAML). Not needed with --plan-file.", completion: .file(extensions: ["yaml", "yml"]))
    var profile: String?

    @Option(help: ArgumentHelp("Apply a plan saved with `mcprov plan --out`, refused if the node changed since.", valueName: "FILE"))
    var planFile: String?

    @Flag(help: "Apply without asking.")
    var autoApprove = false

    @Option(help: "Seconds to wait for another mcprov holding the node lock.")
    var lockTimeout: Double = 300

    @Option(help: "Seconds to wait for the LWK to report running.")
    var bootTimeout: Double = 30

    func validate() throws {
        guard (profile == nil) != (planFile == nil) else { throw ValidationError("give a profile or --plan-file, not both or neither") }
    }

    func run() throws {
        Interruption.install()
        let module = try openModule()
        let store = StateStore()
        let lock: ApplyLock
        do {
            lock = try ApplyLock(directory: store.directory, purpose: "mcprov apply \(profile ?? planFile ?? "")", timeout: lockTimeout)
        } catch {
            Console.error("mcprov: \(error)")
            throw ExitCode.failure
        }
        defer { withExtendedLifetime(lock) {} }

        let state = try readNodeState(module, store: store)
        state.notes.forEach { Console.error("mcprov: \($0)") }
        let chosen = try plan(for: state)
        Console.out(PlanRenderer.text(chosen.plan))
        guard chosen.plan.hasChanges else { return }
        guard try confirmed() else {
            Console.error("Apply cancelled; nothing was changed.")
            throw ExitCode.failure
        }
        try execute(chosen, state: state, module: module, store: store)
    }

    /// What the command line names; `validate()` saw to it that it names one.
    var origin: PlanOrigin {
        if let planFile { return .saved(path: planFile) }
        return .profile(path: profile!)
    }

    func plan(for state: NodeState) throws -> ApplyPlan {
        do throws(ApplyPlan.Failure) {
            let chosen = try ApplyPlan.make(origin, on: state) {
                try planningTopology(try loadTopologyOrExit(.live, logger: Logger(label: "mcprov")), state: state)
            }
            ProfileLoading.show(chosen.diagnostics)
            return chosen
        } catch {
            switch error {
            case .unreadable(let path, let cause):
                Console.error("mcprov: cannot read plan \(path): \(cause.localizedDescription)\n  hint: write one with `mcprov plan PROFILE --out FILE`")
            case .nodeChanged(let path, let saved, let now):
                Console.error("""
                    mcprov: the node changed since \(path) was made (state \(saved.nodeFingerprint.prefix(12))… then, \(now.prefix(12))… now); nothing was changed.
                      hint: make a new plan with `mcprov plan \(saved.plan.profile.path) --out \(path)` and review it
                    """)
            case .rejected(let rejection):
                throw ProfileLoading.rejected(rejection)
            case .noTopology(let said):
                throw said
            }
            throw ExitCode.failure
        }
    }

    func confirmed() throws -> Bool {
        guard !autoApprove, isatty(STDIN_FILENO) != 0 else { return true }
        print("\nApply these changes? Only 'yes' is accepted: ", terminator: "")
        fflush(nil)  // stdout (the global is not concurrency-safe to name)
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }

    /// `chosen` with its images, or why not.
    func prepare(_ chosen: ApplyPlan, on state: NodeState) throws -> PreparedApply {
        do throws(PreparedApply.Refusal) {
            return try PreparedApply.make(chosen, on: state)
        } catch {
            switch error {
            case .unsafe(let problems):
                problems.forEach { Console.error("mcprov: \($0); nothing was changed.") }
                Console.error("  hint: run `mcprov teardown`, then `mcprov apply` with the new profile")
            case .noImage(let cause):
                Console.error("mcprov: \(cause); nothing was changed.")
            }
            throw ExitCode.failure
        }
    }

    func execute(_ chosen: ApplyPlan, state: NodeState, module: ModuleClient, store: StateStore) throws {
        let applier = Applier(module: module, store: store) { Console.out($0) }
        applier.bootTimeout = bootTimeout
        let now = Date()
        Console.out("")
        let prepared = try prepare(chosen, on: state)
        do throws(UndoStack.Failure) {
            try applier.apply(prepared, over: state, at: now)
        } catch {
            Console.error("\nmcprov: apply failed: \(error.description)")
            Console.error(error.leftOver.isEmpty
                ? "The node is as it was before this apply. Fix the cause and apply again."
                : "The node could NOT be fully restored: run `mcprov teardown` to give everything back.")
            throw ExitCode.failure
        }
        let plan = prepared.plan
        let running = plan.partition.instances.map { "os \($0.index) \"\($0.name)\" on CPUs \($0.cpus)" }.joined(separator: ", ")
        Console.out("\nApply complete: \(plan.summary.add) added, \(plan.summary.change) changed, \(plan.summary.destroy) destroyed; running: \(running).")
    }
}
