import Foundation
import TestSupport
import Testing
@testable import Topology

@Suite struct TopologyReportTests {
    @Test func jsonCarriesTheDocumentedFields() throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology("knl-64c-quadrant-flat.real.xml")))
        let json = try TopologyReport.json(topology)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["format_version"] as? Int == 1)
        #expect(document["cores"] as? Int == 64)
        #expect(document["pus"] as? Int == 256)
        let nodes = try #require(document["numa_nodes"] as? [[String: Any]])
        #expect(nodes.count == 2)
        #expect(nodes[1]["os_index"] as? Int == 1)
        #expect(nodes[1]["kind"] as? String == "mcdram")
        #expect((nodes[1]["cpus"] as? [Int])?.isEmpty == true)
        #expect((nodes[0]["cpus"] as? [Int])?.count == 256)
        #expect((nodes[0]["memory_bytes"] as? Int ?? 0) > 90 << 30)
        #expect(nodes[1]["kind_reason"] is String)
    }

    @Test func textReadsLikeLstopo() throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology("knl-64c-snc4-flat.real.xml")))
        let text = TopologyReport.text(topology)
        #expect(text.contains("1 package, 64 cores × 4 threads = 256 CPUs, 8 NUMA nodes"))
        #expect(text.contains("cluster mode snc4, memory mode flat (inferred from the NUMA layout)"))
        #expect(text.contains("NUMA 0  ddr"))
        #expect(text.contains("NUMA 4  mcdram   3.9 GiB  no CPUs, near 0-15,64-79,128-143,192-207"))
        #expect(text.contains("NUMA distances:"))
    }
}
