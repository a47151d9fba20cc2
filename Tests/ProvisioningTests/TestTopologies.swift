@testable import Provisioning
import TestSupport
import Topology

/// Topologies loaded once per test process.
enum TestTopologies {
    static func fixture(_ name: String) throws -> Topology {
        try TopologyLoader.load(.xml(path: Fixtures.topology(name)))
    }

    static func check(_ yaml: String, on topology: Topology, applied: Partition? = nil) -> ProfileCheck {
        ProfileCheck.run(yaml: yaml, path: "test.yaml", topology: topology, applied: applied)
    }

    /// "L:C message" for each error, in file order.
    static func errors(_ check: ProfileCheck) -> [String] {
        check.diagnostics.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
    }
}
