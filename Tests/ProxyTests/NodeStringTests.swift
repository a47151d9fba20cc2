import CNuma
import Foundation
import NodeBasics
import Testing
@testable import mcexec

/// mcexec -m in numactl's node syntax, and where the proxy runs.
@Suite struct NodeStringTests {
    /// libnuma as it would answer on a node with NUMA nodes 0-3.
    static func fourNodes(_ text: String) -> [Int]? {
        ["all": [0, 1, 2, 3], "!0": [1, 2, 3], "+1": [1], "!0-3": []][text]
    }

    @Test func plainListsAreTheLWKsNodeNumbers() {
        // Taken as written, even beyond this machine's nodes: the LWK refuses those it
        // has no memory on, with its own message.
        #expect(NodeString.parse("0,2-3", libnuma: { _ in nil }) == .success([0, 2, 3]))
        #expect(NodeString.parse("31", libnuma: { _ in nil }) == .success([31]))
    }

    @Test func numactlsOtherFormsGoThroughLibnuma() {
        #expect(NodeString.parse("all", libnuma: Self.fourNodes) == .success([0, 1, 2, 3]))
        #expect(NodeString.parse("!0", libnuma: Self.fourNodes) == .success([1, 2, 3]))
        #expect(NodeString.parse("+1", libnuma: Self.fourNodes) == .success([1]))
    }

    @Test func refusals() {
        #expect(NodeString.parse("!0-3", libnuma: Self.fourNodes) == .failure(.noNode("!0-3")))
        #expect(NodeString.parse("fast", libnuma: Self.fourNodes) == .failure(.unparseable("fast")))
        #expect(NodeString.parse("32", libnuma: Self.fourNodes) == .failure(.beyondLWK("32", 32)))
        #expect(NodeString.parse("3-1", libnuma: { _ in nil }) == .failure(.unparseable("3-1")))
    }

    @Test func theRealLibnumaOnThisMachine() throws {
        // Every Linux machine has node 0; whatever else it has, "all" includes it.
        guard LibNUMA.isAvailable else { return }
        let all = try NodeString.parse("all").get()
        #expect(all.first == 0)
        #expect(NodeString.parse("!0") == (all.count == 1 ? .failure(.noNode("!0")) : .success(Array(all.dropFirst()))))
        #expect(LibNUMA.node(ofCPU: 0) == 0)
    }

    static let record = """
        {"format_version": 1, "serial": 3, "partition": {"instances": [
          {"index": 0, "name": "lwk", "cpus": [2, 3, 6, 7], "memory": [], "kernel_image": "default", "kernel_args": "hidos",
           "ikc": [{"lwk_cpus": [2, 3], "linux_cpu": 0}, {"lwk_cpus": [6, 7], "linux_cpu": 4}]}]}}
        """

    @Test func theIKCMapNamesTheProxysCPU() throws {
        let routes = try StateRecordFile.decoder.decode(IKCRoutes.self, from: Data(Self.record.utf8))
        // LWK CPUs are numbered from 0 in the order of their Linux numbers: 2, 3, 6, 7.
        #expect(routes.server(of: 0, instance: 0) == 0)
        #expect(routes.server(of: 1, instance: 0) == 0)
        #expect(routes.server(of: 2, instance: 0) == 4)
        // With time_sharing context 4 is the second on LWK CPU 0, context 6 on LWK CPU 2.
        #expect(routes.server(of: 4, instance: 0) == 0 && routes.server(of: 6, instance: 0) == 4)
        #expect(routes.server(of: -1, instance: 0) == nil)
        #expect(routes.server(of: 0, instance: 1) == nil)
    }

    @Test func bindingFollowsTheRecord() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcexec-binding-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = StateRecordFile(directory: directory)
        #expect(ProxyBinding.bind(lwkCPU: 0, instance: 0, record: file) == nil, "no record, no binding")
        try Data(Self.record.utf8).write(to: file.url)
        guard LibNUMA.isAvailable else { return }
        defer {
            // Give the test process its CPUs and memory policy back.
            _ = numa_run_on_node(-1)
            numa_set_localalloc()
        }
        let affinity = try #require(ProxyBinding.bind(lwkCPU: 0, instance: 0, record: file))
        #expect(affinity == ProxyBinding.Choice(linuxCPU: 0, node: 0))
    }
}
