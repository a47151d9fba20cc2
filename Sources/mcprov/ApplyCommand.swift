import ArgumentParser
import Foundation
import Logging
import NodeControl
import NodeOperations
import Provisioning
import Topology

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
            its previous CPUs, memory, image and kernel arguments).
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

        let state = try NodeState.read(module, store: store)
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
            guard saved.nodeFingerprint == state.fingerprint else {
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
        let (parsed, partition) = try ProfileLoading.resolve(profilePath: path, topology: topology, applied: state.applied)
        let plan = Plan(
            profile: ProfileReference(path: path, name: parsed.name.value), topology: topology.source.description,
            partition: partition, applied: state.applied, stopped: state.stopped)
        return (plan, try ProfileStamping.stamp(path, name: parsed.name.value))
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
        do {
            Console.out("")
            // Everything that can be refused is refused before the first change.
            let refusals = InstanceSteps.refusals(applied: plan.applied, desired: plan.partition, view: state.view)
            if !refusals.isEmpty {
                refusals.forEach { Console.error("mcprov: \($0); nothing was changed.") }
                Console.error("  hint: run `mcprov teardown`, then `mcprov apply` with the new profile")
                throw ExitCode.failure
            }
            var images: [String: LWKImageData] = [:]
            for instance in plan.partition.instances where images[instance.kernelImage] == nil {
                images[instance.kernelImage] = try readImage(instance.kernelImage)
            }
            // The image to go back to if a change fails; an instance rebuilt from the
            // module without a record has no known image: the new one.
            func previousImage(of before: ResolvedInstance, else fallback: LWKImageData) -> LWKImageData {
                images[before.kernelImage] ?? Self.quietlyReadImage(before.kernelImage) ?? fallback
            }
            // Removals first: they give back what a grown instance may need.
            let removed = (plan.applied?.instances ?? []).filter { old in !plan.partition.instances.contains { $0.index == old.index } }
            for old in removed {
                Console.out("Removing os \(old.index) \"\(old.name)\":")
                try applier.remove(old, previousImage: previousImage(of: old, else: images.values.first ?? LWKImageData(bytes: [], name: old.kernelImage)))
            }
            for instance in plan.partition.instances {
                let image = images[instance.kernelImage]!
                if let before = plan.applied?.instances.first(where: { $0.index == instance.index }) {
                    // A new name only changes the record; the LWK keeps running.
                    guard InstanceSteps.needsRestart(before, instance, stopped: state.stopped[instance.index] != nil) else { continue }
                    let resized = before.cpus != instance.cpus || InstanceSteps.bytesByNode(before) != InstanceSteps.bytesByNode(instance)
                    Console.out("Restarting os \(instance.index)\(resized ? " with its new CPUs and memory" : ""):")
                    try applier.restart(instance, previous: before, image: image, previousImage: previousImage(of: before, else: image))
                } else {
                    Console.out("Creating os \(instance.index) \"\(instance.name)\":")
                    try applier.create(instance, image: image)
                }
            }
            let serial = (state.record?.serial ?? 0) + 1
            try applier.record(StateRecord(
                serial: serial, profile: stamp, partition: plan.partition,
                appliedAt: state.record?.appliedAt ?? now, updatedAt: now))
        } catch let failure as UndoStack.Failure {
            Console.error("\nmcprov: apply failed: \(failure.description)")
            Console.error(failure.leftOver.isEmpty
                ? "The node is as it was before this apply. Fix the cause and apply again."
                : "The node could NOT be fully restored: run `mcprov teardown` to give everything back.")
            throw ExitCode.failure
        }
        let running = plan.partition.instances.map { "os \($0.index) \"\($0.name)\" on CPUs \($0.cpus)" }.joined(separator: ", ")
        Console.out("\nApply complete: \(plan.summary.add) added, \(plan.summary.change) changed, \(plan.summary.destroy) destroyed; running: \(running).")
    }

    static func quietlyReadImage(_ name: String) -> LWKImageData? {
        guard let url = try? LWKImage.locate(name), let data = try? Data(contentsOf: url) else { return nil }
        return LWKImageData(bytes: [UInt8](data), name: url.path)
    }

    func readImage(_ name: String) throws -> LWKImageData {
        do {
            let url = try LWKImage.locate(name)
            return LWKImageData(bytes: [UInt8](try Data(contentsOf: url)), name: url.path)
        } catch {
            Console.error("mcprov: \(error); nothing was changed.")
            throw ExitCode.failure
        }
    }
}

enum ProfileStamping {
    static func stamp(_ path: String, name: String) throws -> StateRecord.ProfileStamp {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return StateRecord.ProfileStamp(path: absolute, name: name, sha256: SHA256.hex(data))
    }
}

/// A plan written by `mcprov plan --out`, with the node state it was made against.
struct SavedPlan: Codable {
    var formatVersion = 1
    var plan: Plan
    var profile: StateRecord.ProfileStamp
    var nodeFingerprint: String

    static func read(_ path: String) throws -> SavedPlan {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SavedPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
