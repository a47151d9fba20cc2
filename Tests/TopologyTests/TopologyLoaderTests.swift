import Foundation
import TestSupport
import Testing
@testable import Topology

@Suite struct TopologyLoaderTests {
    @Test func loadsSyntheticDescriptions() throws {
        let topology = try TopologyLoader.load(TopologySource(argument: "synthetic:\"pack:1 numa:4 core:4 pu:2\""))
        #expect(topology.numaNodes.count == 4)
        #expect(topology.cores.count == 16)
        #expect(topology.cpus.count == 32)
        #expect(topology.numaNodes.allSatisfy { $0.kind == .ddr && $0.cpus.count == 8 })
        #expect(topology.live == nil)
    }

    @Test func sourceArgumentForms() {
        #expect(TopologySource(argument: "live") == .live)
        #expect(TopologySource(argument: "node.xml") == .xml(path: "node.xml"))
        #expect(TopologySource(argument: "synthetic:pack:2 core:2") == .synthetic(description: "pack:2 core:2"))
        #expect(TopologySource(argument: "synthetic:'pack:2'") == .synthetic(description: "pack:2"))
    }

    @Test func missingFileNamesTheFileAndTheRemedy() {
        #expect {
            try TopologyLoader.load(.xml(path: "/nonexistent/node.xml"))
        } throws: { error in
            let message = (error as? TopologyLoadError)?.description ?? ""
            return message.contains("/nonexistent/node.xml") && message.contains("does not exist") && message.contains("lstopo --of xml")
        }
    }

    @Test func malformedXMLIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mcprov-bad-\(UInt32.random(in: 0...UInt32.max)).xml").path
        try "<topology><object type=".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try TopologyLoader.load(.xml(path: path))
        } throws: { error in
            (error as? TopologyLoadError)?.message.contains(path) ?? false
        }
    }

    @Test func malformedSyntheticDescriptionIsRefused() {
        #expect {
            try TopologyLoader.load(.synthetic(description: "pack:x numa"))
        } throws: { error in
            (error as? TopologyLoadError)?.message.contains("synthetic") ?? false
        }
    }

    @Test func liveMachineHasOnlineCPUsAndFreeMemory() throws {
        let topology = try TopologyLoader.load(.live)
        let live = try #require(topology.live)
        #expect(live.onlineCPUs.contains(0))
        #expect(live.onlineCPUs.isSubset(of: live.presentCPUs))
        #expect(!live.freeBytes.isEmpty)
        for node in topology.numaNodes {
            let free = try #require(live.freeBytes[node.osIndex], "no MemFree for NUMA \(node.osIndex)")
            #expect(free <= node.memoryBytes)
        }
    }

    @Test func nodeMeminfoParsing() {
        let text = "Node 1 MemTotal:       16384000 kB\nNode 1 MemFree:        16213252 kB\nNode 1 MemUsed:  1 kB\n"
        #expect(LiveStateReader.memFree(fromNodeMeminfo: text) == 16_213_252 * 1024)
        #expect(LiveStateReader.memFree(fromNodeMeminfo: "garbage") == nil)
    }
}
