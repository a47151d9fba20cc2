import ArgumentParser
import Topology

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Show the node's packages, cores, NUMA nodes (with memory kind) and distances.",
        discussion: """
            Memory kinds are ddr, mcdram, hbm or unknown; each NUMA node says why it got its
            kind. On the live machine mcprov also shows online CPUs and free memory.
            """)

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print JSON (format_version 1) instead of text.")
    var json = false

    func run() throws {
        let topology = try node.loadTopology(logger: node.makeLogger())
        Console.out(json ? try TopologyReport.json(topology) : TopologyReport.text(topology))
    }
}
