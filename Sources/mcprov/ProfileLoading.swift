import ArgumentParser
import NodeOperations
import Provisioning
import Topology

/// A profile's diagnostics on standard error, as validate, plan and apply show them:
/// every one, sorted by place, and when there are errors their count, after which the
/// command exits 1.
enum ProfileLoading {
    /// The profile resolved on `topology`, or exits 1.
    static func resolve(profilePath: String, topology: Topology) throws -> (Profile, Partition) {
        let check = ProfileCheck.run(profilePath: profilePath, topology: topology)
        guard let profile = check.profile, let partition = check.partition else {
            throw rejected(ProfileRejected(path: profilePath, diagnostics: check.diagnostics))
        }
        show(check.diagnostics)
        return (profile, partition)
    }

    /// The profile's plan against `baseline`, or exits 1.
    static func plan(profileAt path: String, topology: Topology, against baseline: PlanBaseline) throws -> Plan {
        do throws(ProfileRejected) {
            let planned = try ProfilePlan.make(profileAt: path, topology: topology, against: baseline)
            show(planned.diagnostics)
            return planned.plan
        } catch {
            throw rejected(error)
        }
    }

    static func show(_ diagnostics: Diagnostics) {
        for diagnostic in diagnostics.sorted {
            Console.error(diagnostic.description)
        }
    }

    /// Says why, and gives the error that exits 1.
    static func rejected(_ rejection: ProfileRejected) -> ExitCode {
        show(rejection.diagnostics)
        let count = rejection.diagnostics.errors.count
        Console.error("\(rejection.path): \(count) error\(count == 1 ? "" : "s"); nothing was changed on the node.")
        return ExitCode.failure
    }
}
