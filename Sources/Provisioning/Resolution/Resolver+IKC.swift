import NodeBasics
import Topology

extension Resolver {
    mutating func resolveIKC(_ spec: Located<IKCSpec>, lwkCPUs: CPUSet, allLWKCPUs: CPUSet) -> [IKCRoute] {
        switch spec.value {
        case .auto: return automaticRoutes(lwkCPUs: lwkCPUs, allLWKCPUs: allLWKCPUs)
        case .explicit(let routes): return checked(routes, lwkCPUs: lwkCPUs, allLWKCPUs: allLWKCPUs, at: spec.location)
        }
    }

    /// Each LWK CPU is served by a Linux CPU of its own NUMA node, so that offloaded
    /// system calls and their data stay local. A node's LWK CPUs are split into contiguous
    /// groups, one per Linux CPU left on that node, lowest numbers first.
    func automaticRoutes(lwkCPUs: CPUSet, allLWKCPUs: CPUSet) -> [IKCRoute] {
        var routes: [IKCRoute] = []
        for node in topology.numaNodes where !node.isCPULess {
            let served = node.cpus.intersection(lwkCPUs).members
            let servers = node.cpus.subtracting(allLWKCPUs).subtracting(offlineCPUsNotOurs).members
            guard !served.isEmpty, !servers.isEmpty else { continue }  // reported by checkLinuxKeepsCPUs
            let groups = min(served.count, servers.count)
            for group in 0..<groups {
                let start = served.count * group / groups
                let end = served.count * (group + 1) / groups
                routes.append(IKCRoute(lwkCPUs: CPUSet(served[start..<end]), linuxCPU: servers[group]))
            }
        }
        return routes.sorted { ($0.lwkCPUs.first ?? 0) < ($1.lwkCPUs.first ?? 0) }
    }

    mutating func checked(_ routes: [IKCRouteSpec], lwkCPUs: CPUSet, allLWKCPUs: CPUSet, at location: SourceLocation) -> [IKCRoute] {
        var covered = CPUSet()
        for route in routes {
            let foreign = route.lwkCPUs.value.subtracting(lwkCPUs)
            if !foreign.isEmpty {
                diagnostics.error(
                    "\(foreign.named) \(foreign.isOrAre) not among this instance's LWK CPUs", at: route.lwkCPUs.location,
                    hint: "this instance's CPUs are \(lwkCPUs)")
            }
            let twice = route.lwkCPUs.value.intersection(covered)
            if !twice.isEmpty {
                diagnostics.error("\(twice.named) \(twice.hasOrHave) more than one IKC route", at: route.lwkCPUs.location)
            }
            covered = covered.union(route.lwkCPUs.value)
            let target = route.linuxCPU
            if !topology.cpus.contains(target.value) {
                diagnostics.error("Linux CPU \(target.value) does not exist on this node", at: target.location)
            } else if allLWKCPUs.contains(target.value) {
                diagnostics.error(
                    "CPU \(target.value) goes to the LWK, so it cannot serve IKC on the Linux side", at: target.location,
                    hint: "pick a CPU that Linux keeps")
            } else if offlineCPUsNotOurs.contains(target.value) {
                diagnostics.error("Linux CPU \(target.value) is offline", at: target.location)
            } else if let home = topology.numaNode(ofCPU: target.value)?.osIndex {
                let remote = route.lwkCPUs.value.filter { topology.numaNode(ofCPU: $0)?.osIndex != home }
                if !remote.isEmpty {
                    diagnostics.warning(
                        "LWK \(CPUSet(remote).named) \(CPUSet(remote).isOrAre) served across NUMA nodes by CPU \(target.value) (NUMA \(home))", at: target.location,
                        hint: "cross-node IKC adds latency to every offloaded system call; `ikc: auto` keeps it local")
                }
            }
        }
        let missing = lwkCPUs.subtracting(covered)
        if !missing.isEmpty {
            diagnostics.error(
                "LWK \(missing.named) \(missing.hasOrHave) no IKC route", at: location,
                hint: "add a route for them, or use `ikc: auto`")
        }
        return routes.map { IKCRoute(lwkCPUs: $0.lwkCPUs.value, linuxCPU: $0.linuxCPU.value) }
            .sorted { ($0.lwkCPUs.first ?? 0) < ($1.lwkCPUs.first ?? 0) }
    }
}
