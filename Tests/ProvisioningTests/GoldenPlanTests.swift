import Foundation
@testable import Provisioning
import TestSupport
import Testing

/// Plans as admins and scripts see them, compared with files in Golden/. Regenerate with
/// MCPROV_UPDATE_GOLDEN=1 swift test, and review the diff like code.
@Suite struct GoldenPlanTests {
    func plan(_ profile: String, on fixture: String, applied: Partition? = nil) throws -> Plan {
        let check = ProfileCheck.run(profilePath: Fixtures.profile(profile), topology: try TestTopologies.fixture(fixture), applied: applied)
        let partition = try #require(check.partition, "\(check.diagnostics.errors)")
        return Plan(
            profile: ProfileReference(path: "profiles/\(profile)", name: check.profile!.name.value),
            topology: fixture, partition: partition, applied: applied)
    }

    func compare(_ text: String, golden name: String) throws {
        let url = Fixtures.testData("ProvisioningTests", "Golden/\(name)")
        if Fixtures.updatingGoldenFiles {
            try (text + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text + "\n" == expected, "\(name) differs; if the change is intended, regenerate with MCPROV_UPDATE_GOLDEN=1")
    }

    @Test func knlQuadText() throws {
        try compare(PlanRenderer.text(try plan("knl-quad.yaml", on: "knl-64c-quadrant-flat.real.xml")), golden: "knl-quad.knl-64c-quadrant-flat.txt")
    }

    @Test func knlQuadJSON() throws {
        let json = try PlanRenderer.json(try plan("knl-quad.yaml", on: "knl-16c-quadrant-flat.derived.xml"))
        try compare(json, golden: "knl-quad.knl-16c-quadrant-flat.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["format_version"] as? Int == 1)
        #expect(document.keys.contains("applied"))
    }

    @Test func xeonText() throws {
        try compare(PlanRenderer.text(try plan("xeon-2s.yaml", on: "xeon-skylake-2s-48c.real.xml")), golden: "xeon-2s.xeon-skylake-2s-48c.txt")
    }

    @Test func changePlanText() throws {
        var applied = try plan("knl-quad.yaml", on: "knl-16c-quadrant-flat.derived.xml").partition
        applied.instances[0].kernelArgs = "hidos dump_level=24"
        applied.instances[0].memory[0].bytes -= 1 << 30
        try compare(
            PlanRenderer.text(try plan("knl-quad.yaml", on: "knl-16c-quadrant-flat.derived.xml", applied: applied)),
            golden: "knl-quad.change.txt")
    }

    @Test func jsonPartitionRoundTrips() throws {
        let original = try plan("knl-snc4-flat.yaml", on: "knl-64c-snc4-flat.real.xml").partition
        let decoded = try decodePartition(Data(try encodeJSON(original).utf8))
        #expect(decoded == original)
    }
}
