import Topology

/// Reading and resolving a profile in one step, as `validate`, `plan` and `apply` all
/// need it: every diagnostic from both stages, and a partition only when there is no
/// error.
public struct ProfileCheck: Sendable {
    public var profile: Profile?
    public var partition: Partition?
    public var diagnostics: Diagnostics

    public static func run(profilePath: String, topology: Topology, applied: Partition? = nil) -> ProfileCheck {
        let (profile, parseDiagnostics) = ProfileParser.parse(contentsOf: profilePath)
        return resolve(profile, parseDiagnostics, topology: topology, applied: applied)
    }

    public static func run(yaml: String, path: String, topology: Topology, applied: Partition? = nil) -> ProfileCheck {
        let (profile, parseDiagnostics) = ProfileParser.parse(yaml: yaml, path: path)
        return resolve(profile, parseDiagnostics, topology: topology, applied: applied)
    }

    static func resolve(_ profile: Profile?, _ parseDiagnostics: Diagnostics, topology: Topology, applied: Partition?) -> ProfileCheck {
        var diagnostics = parseDiagnostics
        var partition: Partition?
        if let profile {
            let (resolved, found) = Resolver.resolve(profile, on: topology, applied: applied)
            diagnostics.merge(found)
            partition = resolved
        }
        return ProfileCheck(profile: profile, partition: diagnostics.hasErrors ? nil : partition, diagnostics: diagnostics)
    }
}
