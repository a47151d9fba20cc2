import Foundation
import NodeBasics
import Topology
import Yams

/// Reads a profile file into a `Profile`, reporting every problem it can find in one go.
/// Only the file's own shape is checked here; whether it fits a node is the resolver's job.
public enum ProfileParser {
    public static let clusterModes = ["quadrant", "hemisphere", "all2all", "snc2", "snc4"]
    public static let memoryModes = ["flat", "cache", "hybrid25", "hybrid50"]

    static let topKeys = ["format", "name", "description", "expect", "instances"]
    static let expectKeys = ["cpu_model", "cluster_mode", "memory_mode", "cores", "numa_nodes"]
    static let rangeKeys = ["at_least", "at_most"]
    static let instanceKeys = ["name", "cpus", "memory", "ikc", "kernel"]
    static let cpuKeys = ["list", "linux_keeps", "threads"]
    static let keepKeys = ["cores", "per"]
    static let memoryKeys = ["numa", "size"]
    static let ikcKeys = ["lwk_cpus", "linux_cpu"]
    static let kernelKeys = ["image", "args", "dump_level"]

    public static func parse(contentsOf path: String) -> (Profile?, Diagnostics) {
        var diagnostics = Diagnostics()
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            diagnostics.error(
                exists ? "cannot read profile \(path): permission denied" : "profile \(path) does not exist", at: nil,
                hint: exists ? "run as a user who can read it" : "check the path; shipped profiles live in profiles/")
            return (nil, diagnostics)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.error("profile \(path) is not UTF-8 text", at: SourceLocation(file: path, line: 1, column: 1))
            return (nil, diagnostics)
        }
        return parse(yaml: text, path: path)
    }

    public static func parse(yaml text: String, path: String) -> (Profile?, Diagnostics) {
        var reader = YAMLReader(file: path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            reader.diagnostics.append(YAMLSyntaxDiagnostic.make(error, file: path, text: text))
            return (nil, reader.diagnostics)
        }
        guard let root else {
            reader.diagnostics.error(
                "the profile is empty", at: SourceLocation(file: path, line: 1, column: 1),
                hint: "start from one of the profiles in profiles/")
            return (nil, reader.diagnostics)
        }
        // Even with errors, what could be read is returned, so that resolution can report
        // its own findings in the same run.
        return (reader.profile(root), reader.diagnostics)
    }
}

// MARK: - Sections

extension YAMLReader {
    mutating func profile(_ root: Node) -> Profile? {
        guard let top = mapping(root, "the profile", known: ProfileParser.topKeys) else { return nil }
        let start = location(of: root)

        if let format = top["format"], let version = integer(format.value, "`format`"), version.value != Profile.formatVersion {
            diagnostics.error(
                "profile format \(version.value) is not supported", at: version.location,
                hint: "this mcprov reads format \(Profile.formatVersion)")
        }
        let name = top["name"].flatMap { string($0.value, "`name`") }
        require("name", in: top, "the profile has no `name`", hint: "add `name: my-partition` at the top")
        let description = top["description"].flatMap { string($0.value, "`description`")?.value }
        let expectations = top["expect"].map { expect($0.value) } ?? []

        var instances: [InstanceSpec] = []
        if let list = top["instances"] {
            if let items = sequence(list.value, "`instances`") {
                if items.isEmpty {
                    diagnostics.error("`instances` is empty", at: location(of: list.value), hint: "describe at least one LWK instance")
                }
                for (index, item) in items.enumerated() {
                    if let spec = instance(item, index: index) { instances.append(spec) }
                }
            }
        }
        require(
            "instances", in: top, "the profile has no `instances`",
            hint: "add an `instances:` list with one entry per LWK (cpus, memory, kernel)")
        checkUniqueNames(instances)
        return Profile(
            path: file, name: name ?? Located("unnamed", at: start), description: description,
            expectations: expectations, instances: instances)
    }

    mutating func expect(_ node: Node) -> [Located<Expectation>] {
        guard let entries = mapping(node, "`expect`", known: ProfileParser.expectKeys) else { return [] }
        var result: [Located<Expectation>] = []
        for key in ProfileParser.expectKeys {
            guard let (_, value) = entries[key] else { continue }
            let what = "`expect.\(key)`"
            let place = location(of: value)
            switch key {
            case "cpu_model":
                if let text = string(value, what) { result.append(Located(.cpuModel(text.value), at: place)) }
            case "cluster_mode":
                if let mode = choice(value, "cluster mode", among: ProfileParser.clusterModes) {
                    result.append(Located(.clusterMode(mode.value), at: place))
                }
            case "memory_mode":
                if let mode = choice(value, "memory mode", among: ProfileParser.memoryModes) {
                    result.append(Located(.memoryMode(mode.value), at: place))
                }
            case "cores":
                if let range = countRange(value, what) { result.append(Located(.cores(range), at: place)) }
            default:
                if let range = countRange(value, what) { result.append(Located(.numaNodes(range), at: place)) }
            }
        }
        return result
    }

    mutating func countRange(_ node: Node, _ what: String) -> CountRange? {
        if case .scalar = node {
            return integer(node, what).map { CountRange(minimum: $0.value, maximum: $0.value) }
        }
        guard let entries = mapping(node, what, known: ProfileParser.rangeKeys) else { return nil }
        let low = entries["at_least"].flatMap { integer($0.value, "\(what).at_least")?.value }
        let high = entries["at_most"].flatMap { integer($0.value, "\(what).at_most")?.value }
        if entries.isEmpty {
            diagnostics.error("\(what) needs `at_least`, `at_most` or a number", at: location(of: node))
            return nil
        }
        return CountRange(minimum: low, maximum: high)
    }

    mutating func instance(_ node: Node, index: Int) -> InstanceSpec? {
        let context = "instance \(index)"
        guard let entries = mapping(node, context, known: ProfileParser.instanceKeys) else { return nil }
        let place = location(of: node)
        let name = entries["name"].flatMap { string($0.value, "the instance name") } ?? Located("lwk\(index)", at: place)

        let cpus = entries["cpus"].flatMap { cpuSpec($0.value) }
        require(
            "cpus", in: entries, "\(context) has no `cpus`",
            hint: "give a list like `cpus: \"4-67\"` or a rule like `cpus: {linux_keeps: {cores: 2, per: numa}}`")
        var memory: [MemorySpec] = []
        require("memory", in: entries, "\(context) has no `memory`", hint: "add e.g. `memory: [{numa: 0, size: 2G}]`")
        if let (_, value) = entries["memory"] {
            if let items = sequence(value, "`memory`", hint: "write one `{numa: N, size: S}` entry per NUMA node") {
                if items.isEmpty {
                    diagnostics.error("`memory` is empty", at: location(of: value), hint: "the LWK needs memory on at least one NUMA node")
                }
                memory = items.compactMap { memorySpec($0) }
            }
        }
        let ikc = entries["ikc"].flatMap { ikcSpec($0.value) } ?? Located(.auto, at: place)
        let kernel = entries["kernel"].map { kernelSpec($0.value) } ?? KernelSpec(image: nil, args: [], dumpLevel: nil)
        guard let cpus else { return nil }
        return InstanceSpec(name: name, location: place, cpus: cpus, memory: memory, ikc: ikc, kernel: kernel)
    }

    mutating func checkUniqueNames(_ instances: [InstanceSpec]) {
        var seen: [String: SourceLocation] = [:]
        for instance in instances {
            if let first = seen[instance.name.value] {
                diagnostics.error(
                    "two instances are named `\(instance.name.value)`", at: instance.name.location,
                    hint: "the other is at line \(first.line); names must be unique")
            }
            seen[instance.name.value] = instance.name.location
        }
    }

    mutating func cpuList(_ node: Node, _ what: String) -> Located<CPUSet>? {
        guard let text = string(node, what) else { return nil }
        do {
            let set = try CPUSet(parsing: text.value)
            if let overlap = CPUListOverlap.find(in: text.value) {
                diagnostics.error(
                    "\(what) names \(overlap.named) more than once", at: text.location,
                    hint: "overlapping ranges usually hide a typo; list each CPU once")
            }
            if set.isEmpty {
                diagnostics.error("\(what) is empty", at: text.location)
            }
            return Located(set, at: text.location)
        } catch {
            var place = text.location
            place.column += error.offset
            diagnostics.error(error.message, at: place, hint: "write CPUs in Linux numbering like 4-67,72-135")
            return nil
        }
    }

    mutating func cpuSpec(_ node: Node) -> Located<CPUSpec>? {
        if case .scalar = node {
            return cpuList(node, "`cpus`").map { Located(.list($0.value), at: $0.location) }
        }
        guard let entries = mapping(node, "`cpus`", known: ProfileParser.cpuKeys) else { return nil }
        let place = location(of: node)
        switch (entries["list"], entries["linux_keeps"]) {
        case (let list?, nil):
            if let threads = entries["threads"] {
                diagnostics.error(
                    "`threads` applies to `linux_keeps` rules, not to an explicit list", at: location(of: threads.key),
                    hint: "an explicit list already names every thread; remove `threads`")
            }
            return cpuList(list.value, "`cpus.list`").map { Located(.list($0.value), at: $0.location) }
        case (nil, let keep?):
            guard let (cores, domain) = keepRule(keep.value) else { return nil }
            let threads = entries["threads"].flatMap {
                choice($0.value, "`threads` value", among: CPURule.Threads.allCases.map(\.rawValue))
            }.flatMap { CPURule.Threads(rawValue: $0.value) } ?? .all
            return Located(.rule(CPURule(linuxCoresPerDomain: cores, domain: domain, threads: threads)), at: place)
        case (_?, _?):
            diagnostics.error("`cpus` has both `list` and `linux_keeps`", at: place, hint: "use one: an explicit list or a rule")
            return nil
        case (nil, nil):
            diagnostics.error(
                "`cpus` needs `list` or `linux_keeps`", at: place,
                hint: "e.g. `linux_keeps: {cores: 2, per: numa}` keeps 2 cores of every NUMA node for Linux")
            return nil
        }
    }

    /// `linux_keeps: 2` (cores per NUMA node) or `linux_keeps: {cores: 2, per: package}`.
    mutating func keepRule(_ node: Node) -> (Int, CPURule.Domain)? {
        let what = "`linux_keeps`"
        let count: Located<Int>?
        var domain = CPURule.Domain.numa
        if case .scalar = node {
            count = integer(node, what)
        } else {
            guard let entries = mapping(node, what, known: ProfileParser.keepKeys) else { return nil }
            count = entries["cores"].flatMap { integer($0.value, "`linux_keeps.cores`") }
            require("cores", in: entries, "\(what) has no `cores`", hint: "say how many cores Linux keeps, e.g. `cores: 2`")
            if let per = entries["per"],
               let word = choice(per.value, "`per` value", among: CPURule.Domain.allCases.map(\.rawValue)) {
                domain = CPURule.Domain(rawValue: word.value)!
            }
        }
        guard let count else { return nil }
        guard count.value >= 0 else {
            diagnostics.error("\(what) cannot be negative", at: count.location)
            return nil
        }
        return (count.value, domain)
    }

    mutating func memorySpec(_ node: Node) -> MemorySpec? {
        guard let entries = mapping(node, "a `memory` entry", known: ProfileParser.memoryKeys) else { return nil }
        var selector: Located<NodeSelector>?
        if let (_, value) = entries["numa"] {
            let kinds = MemoryKind.allCases.filter { $0 != .unknown }.map(\.rawValue)
            if let index = Int(value.scalar?.string ?? "") {
                if index < 0 {
                    diagnostics.error("NUMA node numbers start at 0", at: location(of: value))
                } else {
                    selector = Located(.osIndex(index), at: location(of: value))
                }
            } else if let kind = choice(value, "NUMA node (a number or a memory kind)", among: kinds) {
                selector = Located(.kind(MemoryKind(rawValue: kind.value)!), at: kind.location)
            }
        }
        require(
            "numa", in: entries, "a `memory` entry has no `numa`",
            hint: "name a NUMA node by number (`numa: 1`) or by kind (`numa: mcdram`)")
        var size: Located<SizeSpec>?
        if let (_, value) = entries["size"] {
            if let text = string(value, "`size`") {
                switch SizeParser.parse(text.value) {
                case .success(let spec): size = Located(spec, at: text.location)
                case .failure(let error): diagnostics.error(error.message, at: text.location, hint: SizeSyntaxError.hint)
                }
            }
        }
        require("size", in: entries, "a `memory` entry has no `size`", hint: SizeSyntaxError.hint)
        guard let selector, let size else { return nil }
        return MemorySpec(numa: selector, size: size)
    }

    mutating func ikcSpec(_ node: Node) -> Located<IKCSpec>? {
        let place = location(of: node)
        if case .scalar = node {
            guard choice(node, "`ikc` value", among: ["auto"]) != nil else { return nil }
            return Located(.auto, at: place)
        }
        guard let items = sequence(node, "`ikc`") else { return nil }
        var routes: [IKCRouteSpec] = []
        for item in items {
            guard let entries = mapping(item, "an `ikc` route", known: ProfileParser.ikcKeys) else { continue }
            guard let lwk = entries["lwk_cpus"], let linux = entries["linux_cpu"] else {
                diagnostics.error(
                    "an `ikc` route needs `lwk_cpus` and `linux_cpu`", at: location(of: item),
                    hint: "e.g. `- {lwk_cpus: \"4-35\", linux_cpu: 0}`")
                continue
            }
            if let cpus = cpuList(lwk.value, "`lwk_cpus`"), let target = integer(linux.value, "`linux_cpu`") {
                routes.append(IKCRouteSpec(lwkCPUs: cpus, linuxCPU: target))
            }
        }
        return Located(.explicit(routes), at: place)
    }

    mutating func kernelSpec(_ node: Node) -> KernelSpec {
        var spec = KernelSpec(image: nil, args: [], dumpLevel: nil)
        guard let entries = mapping(node, "`kernel`", known: ProfileParser.kernelKeys) else { return spec }
        if let image = entries["image"], let path = string(image.value, "`image`"), path.value != "default" {
            spec.image = path
        }
        if let args = entries["args"] {
            if case .scalar = args.value {
                diagnostics.error(
                    "`args` must be a list", at: location(of: args.value),
                    hint: "write one argument per item: `args: [time_sharing, idle_halt]`")
            } else if let items = sequence(args.value, "`args`") {
                spec.args = items.compactMap { string($0, "a kernel argument") }
            }
        }
        if let level = entries["dump_level"] {
            spec.dumpLevel = integer(level.value, "`dump_level`")
        }
        return spec
    }
}

/// Finds CPUs written twice in one list (`4-10,8-12`), which `CPUSet` would silently merge.
enum CPUListOverlap {
    static func find(in text: String) -> CPUSet? {
        var seen = Set<Int>()
        var twice: [Int] = []
        for item in text.split(separator: ",") {
            guard let range = try? CPUSet(parsing: String(item)) else { return nil }
            for cpu in range where !seen.insert(cpu).inserted { twice.append(cpu) }
        }
        return twice.isEmpty ? nil : CPUSet(twice)
    }
}
