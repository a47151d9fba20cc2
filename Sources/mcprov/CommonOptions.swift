import ArgumentParser
import Foundation
import Logging
import Topology

/// `--topology` and `--verbose`, shared by every command that looks at a node.
struct NodeOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where the topology comes from: live (this machine), an hwloc XML file (lstopo --of xml), or synthetic:\"DESCRIPTION\".",
            valueName: "live|FILE|synthetic:DESC"))
    var topology: String = "live"

    @Flag(name: .shortAndLong, help: "Log what mcprov does to standard error.")
    var verbose = false

    var source: TopologySource { TopologySource(argument: topology) }

    func loadTopology(logger: Logger) throws -> Topology {
        try loadTopologyOrExit(source, logger: logger)
    }

    func makeLogger() -> Logger {
        var logger = Logger(label: "mcprov") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}

/// Loads a topology, or prints why not and exits 1.
func loadTopologyOrExit(_ source: TopologySource, logger: Logger) throws -> Topology {
    logger.debug("loading topology", metadata: ["source": "\(source)"])
    do {
        let topology = try TopologyLoader.load(source)
        logger.debug("topology loaded", metadata: ["cpus": "\(topology.cpus.count)", "numa": "\(topology.numaNodes.count)"])
        return topology
    } catch {
        Console.error("mcprov: \(error.description)")
        throw ExitCode.failure
    }
}

enum Console {
    /// One line at a time even into a pipe or file, so that `apply | tee log` shows each
    /// step as it starts and lines keep their order among standard error's.
    static func out(_ text: String) {
        print(text)
        fflush(nil)  // stdout (the global is not concurrency-safe to name)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
