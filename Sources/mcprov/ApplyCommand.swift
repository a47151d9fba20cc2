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
        let (plan, profileStamp) = try makePlan(state)
        Console.out(PlanRenderer.text(plan))
        guard plan.hasChanges else { return }
        guard try confirmed() else {
            Console.error("Apply cancelled; nothing was changed.")
            throw ExitCode.failure
        }
        try execute(plan, state: state, stamp: profileStamp, module: module, store: store)
    }

    func makePlan(_ state: NodeState) throws -> (Plan, StateRecord.ProfileStamp) {
        if let planFile {
            let saved: SavedPlan
            do { saved = try SavedPlan.read(planFile) } catch {
                Console.error("mcprov: cannot read plan \(planFile): \(error.localizedDescription)\n  hint: write one with `mcprov plan PROFILE --out FILE`")
                throw ExitCode.failure
            }
            guard saved.fits(state) else {
                Console.error("""
                    mcprov: the node changed since \(planFile) was made (state \(saved.nodeFingerprint.prefix(12))… then, \(state.fingerprint.prefix(12))… now); nothing was changed.
                      hint: make a new plan with `mcprov plan \(saved.plan.profile.path) --out \(planFile)` and review it
                    """)
                throw ExitCode.failure
            }
            return (saved.plan, saved.profile)
        }
        let path = profile!
        let topology = try planningTopology(try loadTopologyOrExit(.live, logger: Logger(label: "mcprov")), state: state)
        let plan = try ProfileLoading.plan(profileAt: path, topology: topology, against: .node(state))
        return (plan, .of(profileAt: path, name: plan.profile.name))
    }

    func confirmed() throws -> Bool {
        guard !autoApprove, isatty(STDIN_FILENO) != 0 else { return true }
        print("\nApply these changes? Only 'yes' is accepted: ", terminator: "")
        fflush(nil)  // stdout (the global is not concurrency-safe to name)
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }

    func execute(_ plan: Plan, state: NodeState, stamp: StateRecord.ProfileStamp, module: ModuleClient, store: StateStore) throws {
        let applier = Applier(module: module, store: store) { Console.out($0) }
        applier.bootTimeout = bootTimeout
        let now = Date()
        Console.out("")
        // Everything that can be refused is refused before the first change.
        let refusals = InstanceSteps.refusals(applied: plan.applied, desired: plan.partition, view: state.view)
        if !refusals.isEmpty {
            refusals.forEach { Console.error("mcprov: \($0); nothing was changed.") }
            Console.error("  hint: run `mcprov teardown`, then `mcprov apply` with the new profile")
            throw ExitCode.failure
        }
        let images: LWKImages
        do { images = try LWKImages(for: plan.partition) } catch {
            Console.error("mcprov: \(error); nothing was changed.")
            throw ExitCode.failure
        }
        do throws(UndoStack.Failure) {
            try applier.apply(plan, over: state, profile: stamp, images: images, at: now)
        } catch {
            Console.error("\nmcprov: apply failed: \(error.description)")
            Console.error(error.leftOver.isEmpty
                ? "The node is as it was before this apply. Fix the cause and apply again."
                : "The node could NOT be fully restored: run `mcprov teardown` to give everything back.")
            throw ExitCode.failure
        }
        let running = plan.partition.instances.map { "os \($0.index) \"\($0.name)\" on CPUs \($0.cpus)" }.joined(separator: ", ")
        Console.out("\nApply complete: \(plan.summary.add) added, \(plan.summary.change) changed, \(plan.summary.destroy) destroyed; running: \(running).")
    }
}
