import NodeBasics
import Topology

extension Resolver {
    mutating func resolveCPUs(_ spec: Located<CPUSpec>, excluding taken: CPUSet) -> CPUSet {
        switch spec.value {
        case .list(let list): return checkedList(list, at: spec.location)
        case .rule(let rule): return applyRule(rule, excluding: taken, at: spec.location)
        }
    }

    /// An explicit list: every CPU must exist, be online (live) and not be CPU 0.
    mutating func checkedList(_ list: CPUSet, at location: SourceLocation) -> CPUSet {
        let all = topology.cpus
        var missing = list.subtracting(all)
        if let live = topology.live {
            // hwloc does not show offline CPUs; sysfs still lists them as present.
            let offline = missing.intersection(live.presentCPUs).union(list.intersection(offlineCPUsNotOurs))
            if !offline.isEmpty {
                diagnostics.error(
                    "\(offline.named) \(offline.isOrAre) offline", at: location,
                    hint: "bring them online (`echo 1 > /sys/devices/system/cpu/cpuN/online`) or leave them out")
            }
            missing = missing.subtracting(live.presentCPUs)
        }
        if !missing.isEmpty {
            diagnostics.error(
                "\(missing.named) \(missing.doesOrDo) not exist on this node (its CPUs are \(all))",
                at: location, hint: "use Linux CPU numbers as `mcprov topology` lists them")
        }
        if list.contains(0) {
            diagnostics.error(
                "CPU 0 cannot go to the LWK", at: location,
                hint: "Linux cannot take CPU 0 offline on x86; start the list after CPU 0's core")
        }
        return list.intersection(all).subtracting(CPUSet([0]))
    }

    /// `linux_keeps`: in each domain (NUMA node with CPUs, or package), the lowest-numbered
    /// cores stay with Linux and the rest go to the LWK. CPU 0's core always stays.
    mutating func applyRule(_ rule: CPURule, excluding taken: CPUSet, at location: SourceLocation) -> CPUSet {
        let domains: [CPUSet]
        switch rule.domain {
        case .numa: domains = topology.numaNodes.filter { !$0.isCPULess }.map(\.cpus)
        case .package: domains = topology.packages.isEmpty ? [topology.cpus] : topology.packages.map(\.cpus)
        }
        let unusable = offlineCPUsNotOurs.union(taken)
        var lwk: [Int] = []
        for domain in domains {
            let cores = topology.cores
                .filter { core in core.cpus.first.map(domain.contains) ?? false }
                .sorted { $0.cpus[0] < $1.cpus[0] }
            for core in cores.dropFirst(rule.linuxCoresPerDomain) where !core.cpus.contains(0) {
                let threads = rule.threads == .all ? core.cpus : [core.cpus[0]]
                lwk.append(contentsOf: threads.filter { !unusable.contains($0) })
            }
        }
        let result = CPUSet(lwk)
        if result.isEmpty {
            diagnostics.error(
                "keeping \(rule.linuxCoresPerDomain) core\(rule.linuxCoresPerDomain == 1 ? "" : "s") per \(rule.domain == .numa ? "NUMA node" : "package") for Linux leaves no CPU for the LWK",
                at: location, hint: "this node has \(topology.cores.count) cores in \(domains.count) \(rule.domain == .numa ? "NUMA nodes with CPUs" : "packages"); keep fewer")
        }
        return result
    }
}
