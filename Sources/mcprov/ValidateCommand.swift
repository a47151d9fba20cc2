import ArgumentParser
import NodeBasics
import Topology

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a profile against a node's topology and report every problem at once.",
        discussion: """
            Each problem is printed as FILE:LINE:COLUMN: error: WHAT, with a hint. Exit status
            0 when the profile is valid for the node (warnings allowed), 1 otherwise.
            """)

    @Argument(help: "The profile (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var profile: String

    @OptionGroup var node: NodeOptions

    func run() throws {
        let topology = try planningTopology(try node.loadTopology(logger: node.makeLogger()))
        let (_, partition) = try ProfileLoading.resolve(profilePath: profile, topology: topology)
        Console.out("\(profile): valid for \(topology.source)")
        for instance in partition.instances {
            let memory = instance.memory.map { "\(formatBytes($0.bytes)) \($0.kind.rawValue) (NUMA \($0.numa))" }.joined(separator: " + ")
            Console.out("  os \(instance.index) \"\(instance.name)\": \(instance.cpus.count) CPUs (\(instance.cpus)), \(memory)")
        }
    }
}
