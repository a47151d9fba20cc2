import Foundation
import NodeBasics
import Topology

/// Turns a profile and a node's topology into one concrete `Partition`, checking on the
/// way everything that could make it unsafe or impossible. Deterministic: the same
/// profile and topology always give the same partition.
public struct Resolver {
    public let topology: Topology
    /// The partition applied on the node now, if any. Its CPUs are offline and its memory
    /// is reserved, because they are ours: resolution counts them as available again.
    public let applied: Partition?
    var diagnostics = Diagnostics()

    public init(topology: Topology, applied: Partition? = nil) {
        self.topology = topology
        self.applied = applied
    }

    public static func resolve(_ profile: Profile, on topology: Topology, applied: Partition? = nil) -> (Partition?, Diagnostics) {
        var resolver = Resolver(topology: topology, applied: applied)
        let partition = resolver.resolve(profile)
        return (partition, resolver.diagnostics)
    }

    mutating func resolve(_ profile: Profile) -> Partition? {
        for expectation in profile.expectations { check(expectation) }

        var instances: [ResolvedInstance] = []
        var taken = CPUSet()
        var memoryUse = NodeMemoryLedger()
        for (index, spec) in profile.instances.enumerated() {
            var cpus = resolveCPUs(spec.cpus, excluding: taken)
            let overlap = cpus.intersection(taken)
            if !overlap.isEmpty {
                diagnostics.error(
                    "\(overlap.named) already belong\(overlap.count == 1 ? "s" : "") to another instance", at: spec.cpus.location,
                    hint: "each CPU can serve one LWK; give this instance an explicit list")
                cpus = cpus.subtracting(overlap)
            }
            taken = taken.union(cpus)
            let memory = resolveMemory(spec.memory, ledger: &memoryUse)
            instances.append(ResolvedInstance(
                index: index, name: spec.name.value, cpus: cpus, memory: memory, ikc: [],
                kernelImage: spec.kernel.image?.value ?? "default", kernelArgs: kernelCommandLine(spec.kernel)))
        }
        checkLinuxKeepsCPUs(profile, lwkCPUs: taken)
        memoryUse.check(on: topology, applied: applied, diagnostics: &diagnostics)
        for (index, spec) in profile.instances.enumerated() {
            instances[index].ikc = resolveIKC(spec.ikc, lwkCPUs: instances[index].cpus, allLWKCPUs: taken)
        }

        guard !diagnostics.hasErrors else { return nil }
        return Partition(profileName: profile.name.value, instances: instances)
    }

    // MARK: Expectations

    mutating func check(_ expectation: Located<Expectation>) {
        let machine = topology.machine
        switch expectation.value {
        case .cpuModel(let wanted):
            let model = machine.cpuModel ?? "unknown"
            if model.range(of: wanted, options: .caseInsensitive) == nil {
                diagnostics.error(
                    "expected a CPU model containing \"\(wanted)\", but this node has \"\(model)\"", at: expectation.location,
                    hint: "this profile was written for other nodes; use a profile meant for \(model), or drop `cpu_model`")
            }
        case .clusterMode(let wanted):
            check(mode: machine.clusterMode, wanted: wanted, what: "cluster mode", at: expectation.location)
        case .memoryMode(let wanted):
            check(mode: machine.memoryMode, wanted: wanted, what: "memory mode", at: expectation.location)
        case .cores(let range):
            if !range.contains(topology.cores.count) {
                diagnostics.error(
                    "expected \(range) cores, but this node has \(topology.cores.count)", at: expectation.location,
                    hint: "this profile was written for a different node size")
            }
        case .numaNodes(let range):
            if !range.contains(topology.numaNodes.count) {
                diagnostics.error(
                    "expected \(range) NUMA nodes, but this node has \(topology.numaNodes.count)", at: expectation.location,
                    hint: "the BIOS cluster or memory mode may differ from what the profile was written for")
            }
        }
    }

    mutating func check(mode: ModeReading?, wanted: String, what: String, at location: SourceLocation) {
        guard let mode else {
            diagnostics.error(
                "expected \(what) \(wanted), but this node reports none", at: location,
                hint: "only Xeon Phi nodes have a \(what); drop the expectation for other nodes")
            return
        }
        if !mode.matches(wanted) {
            diagnostics.error(
                "expected \(what) \(wanted), but this node is in \(mode.description) (\(mode.source))", at: location,
                hint: "use a profile for \(mode.description), or change the node's BIOS setting and reboot it")
        }
    }

    mutating func checkLinuxKeepsCPUs(_ profile: Profile, lwkCPUs: CPUSet) {
        let offline = offlineCPUsNotOurs
        for node in topology.numaNodes where !node.isCPULess {
            let left = node.cpus.subtracting(lwkCPUs).subtracting(offline)
            guard left.isEmpty else { continue }
            let culprit = profile.instances.first { spec in
                !node.cpus.intersection(lwkCPUs).isEmpty && resolvedCPUsMightTouch(spec, node)
            }
            diagnostics.error(
                "NUMA \(node.osIndex) would have no CPU left for Linux (its CPUs \(node.cpus) all go to the LWK or are offline)",
                at: culprit?.cpus.location ?? profile.name.location,
                hint: "keep at least one core of every NUMA node for Linux: it serves the LWK's offloaded system calls there")
        }
    }

    private func resolvedCPUsMightTouch(_ spec: InstanceSpec, _ node: NUMANode) -> Bool {
        if case .list(let list) = spec.cpus.value { return !list.isDisjoint(with: node.cpus) }
        return true
    }

    /// CPUs offline on the live node for reasons other than our own partition.
    var offlineCPUsNotOurs: CPUSet {
        guard let live = topology.live else { return CPUSet() }
        return live.offlineCPUs.subtracting(applied?.lwkCPUs ?? CPUSet())
    }
}
