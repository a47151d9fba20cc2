import Foundation
@testable import Provisioning
import TestSupport
import Testing

/// Every file in BadProfiles/ is a profile with a mistake an admin can make. Its header
/// names the topology to check it against and every diagnostic expected, exactly:
///
///     # topology: knl-16c-quadrant-flat.derived.xml
///     # error: 12:9 CPU 300 does not exist
///
/// The message is matched as a prefix; the list must match one for one.
@Suite struct BadProfileCorpusTests {
    static let directory = Fixtures.testData("ProvisioningTests", "BadProfiles")
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test func corpusCoversTheOperatorMistakes() {
        let required = [
            "syntax-error", "wrong-type", "unknown-key", "duplicate-key", "nonexistent-cpu", "cpu-zero",
            "overlapping-lists", "memory-beyond-node", "mcdram-on-xeon", "off-granule", "failed-expectations",
        ]
        for name in required {
            #expect(Self.files.contains("\(name).yaml"), "missing bad profile \(name).yaml")
        }
    }

    @Test(arguments: files)
    func reportsExactlyTheExpectedDiagnostics(file: String) throws {
        let path = Self.directory.appendingPathComponent(file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let header = text.split(separator: "\n").filter { $0.hasPrefix("# ") }
        let topologyName = try #require(header.first { $0.hasPrefix("# topology: ") }?.dropFirst("# topology: ".count))
        let expected = header.compactMap { line -> String? in
            guard line.hasPrefix("# error: ") || line.hasPrefix("# warning: ") else { return nil }
            return String(line.dropFirst(2))
        }
        #expect(expected.contains { $0.hasPrefix("error: ") }, "a bad profile must expect at least one error")

        let topology = try TestTopologies.fixture(String(topologyName))
        let check = ProfileCheck.run(profilePath: path, topology: topology)
        let actual = check.diagnostics.sorted.map { diagnostic in
            "\(diagnostic.severity.rawValue): \(diagnostic.location.map { "\($0.line):\($0.column)" } ?? "-") \(diagnostic.message)"
        }
        #expect(actual.count == expected.count, "got:\n\(actual.joined(separator: "\n"))")
        for (want, got) in zip(expected, actual) {
            #expect(got.hasPrefix(want), "expected \(want)\n got \(got)")
        }
        #expect(check.partition == nil, "a profile with errors must not resolve to a partition")
        for diagnostic in check.diagnostics.all where diagnostic.severity == .error {
            #expect(diagnostic.location?.file == path, "errors name the profile file")
        }
    }
}
