import ArgumentParser
import Provisioning
import Topology

/// Reads a profile and resolves it on a topology, printing every diagnostic on standard
/// error. Returns the partition, or exits 1 when anything is wrong.
enum ProfileLoading {
    static func resolve(profilePath: String, topology: Topology, applied: Partition? = nil) throws -> (Profile, Partition) {
        let check = ProfileCheck.run(profilePath: profilePath, topology: topology, applied: applied)
        for diagnostic in check.diagnostics.sorted {
            Console.error(diagnostic.description)
        }
        guard let profile = check.profile, let partition = check.partition else {
            let count = check.diagnostics.errors.count
            Console.error("\(profilePath): \(count) error\(count == 1 ? "" : "s"); nothing was changed on the node.")
            throw ExitCode.failure
        }
        return (profile, partition)
    }
}
