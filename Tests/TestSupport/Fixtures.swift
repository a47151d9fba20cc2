import Foundation

/// Paths the tests read: the shared topology fixtures (`../shared/fixtures/topologies`
/// beside the checkout, or `MCPROV_FIXTURES`), the repository's profiles, and the test
/// data kept next to the tests.
public enum Fixtures {
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static let topologiesDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["MCPROV_FIXTURES"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/topologies")
    }()

    /// Every XML topology in the fixtures folder. Missing fixtures are a failure, not a
    /// reason to test less: the list is never allowed to be empty.
    public static let topologyFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: topologiesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.sorted()
    }()

    public static func topology(_ name: String) -> String {
        topologiesDirectory.appendingPathComponent(name).path
    }

    public static func profile(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("profiles").appendingPathComponent(name).path
    }

    public static func testData(_ target: String, _ path: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests").appendingPathComponent(target).appendingPathComponent(path)
    }

    /// Set `MCPROV_UPDATE_GOLDEN=1` to rewrite golden files instead of comparing.
    public static var updatingGoldenFiles: Bool {
        ProcessInfo.processInfo.environment["MCPROV_UPDATE_GOLDEN"] == "1"
    }
}

/// Directories for files the tests make (compiled programs, fake ELF files), all under
/// one per-process folder that is removed when the test process exits.
public enum Scratch {
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mcprov-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        scratchRootPath = url.path
        atexit { if let path = scratchRootPath { try? FileManager.default.removeItem(atPath: path) } }
        return url
    }()

    /// A new, empty directory whose name starts with `prefix`.
    public static func directory(_ prefix: String) -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

nonisolated(unsafe) private var scratchRootPath: String?
