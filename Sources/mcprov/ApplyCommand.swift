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
            lock in /run/mcprov names its holder. Any failure, or SIGINT/SIGTERM, undoes the
            steps done so far in reverse order and leaves the node as it was.
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
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }

    func execute(_ plan: Plan, state: NodeState, stamp: StateRecord.ProfileStamp, module: ModuleClient, store: StateStore) throws {
        let applier = Applier(module: module, store: store) { Console.out($0) }
        applier.bootTimeout = bootTimeout
        let now = Date()
        do {
            Console.out("")
            // Everything that can be refused is refused before the first change.
            var images: [String: (bytes: [UInt8], name: String)] = [:]
            let removed = (plan.applied?.instances ?? []).filter { old in !plan.partition.instances.contains { $0.index == old.index } }
            if !removed.isEmpty {
                let list = removed.map { String($0.index) }.joined(separator: ", ")
                Console.error("mcprov: removing an applied instance (os \(list)) is not supported yet; nothing was changed.")
                Console.error("  hint: run `mcprov teardown`, then `mcprov apply` with the new profile")
                throw ExitCode.failure
            }
            for instance in plan.partition.instances {
                if let before = plan.applied?.instances.first(where: { $0.index == instance.index }),
                   before.cpus != instance.cpus || before.memory != instance.memory {
                    Console.error("""
                        mcprov: changing the CPUs or memory of an applied instance is not supported yet; nothing was changed.
                          hint: run `mcprov teardown`, then `mcprov apply` with the new profile
                        """)
                    throw ExitCode.failure
                }
                if images[instance.kernelImage] == nil { images[instance.kernelImage] = try readImage(instance.kernelImage) }
            }
            for instance in plan.partition.instances {
                let image = images[instance.kernelImage]!
                if let before = plan.applied?.instances.first(where: { $0.index == instance.index }) {
                    // A new name only changes the record; the LWK keeps running.
                    let restart = state.stopped[instance.index] != nil || before.kernelArgs != instance.kernelArgs
                        || before.kernelImage != instance.kernelImage || before.ikc != instance.ikc
                    guard restart else { continue }
                    // The image to go back to if the restart fails; an instance rebuilt
                    // from the module without a record has no known image: the new one.
                    let previousImage = images[before.kernelImage] ?? Self.quietlyReadImage(before.kernelImage) ?? image
                    Console.out("Restarting os \(instance.index):")
                    try applier.restart(
                        instance, previous: before, image: image.bytes, imageName: image.name,
                        previousImage: previousImage.bytes, previousImageName: previousImage.name)
                } else {
                    Console.out("Creating os \(instance.index) \"\(instance.name)\":")
                    try applier.create(instance, image: image.bytes, imageName: image.name)
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

    static func quietlyReadImage(_ name: String) -> (bytes: [UInt8], name: String)? {
        guard let url = try? LWKImage.locate(name), let data = try? Data(contentsOf: url) else { return nil }
        return ([UInt8](data), url.path)
    }

    func readImage(_ name: String) throws -> (bytes: [UInt8], name: String) {
        do {
            let url = try LWKImage.locate(name)
            return ([UInt8](try Data(contentsOf: url)), url.path)
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
