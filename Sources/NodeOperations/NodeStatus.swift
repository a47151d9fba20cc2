import NodeControl
import Provisioning

/// What `status` shows of each instance beyond the module's view, asked of its device.
/// Best effort: an instance that cannot be asked shows no log and no uptime, and the
/// rest of the report stands.
public struct InstanceDetails {
    /// The LWK's last log lines, by instance.
    public var kmsgTail: [Int: [String]] = [:]
    /// Seconds since each running instance's LWK reported running (the module's clock).
    public var uptimeSeconds: [Int: Double] = [:]

    public static func read(_ module: ModuleClient, for view: NodeView, lines: Int = 5) -> InstanceDetails {
        var details = InstanceDetails()
        for instance in view.instances {
            let device = try? module.instance(instance.index)
            let text = (try? device?.kernelMessages()) ?? ""
            details.kmsgTail[instance.index] = text.split(separator: "\n").suffix(lines).map(String.init)
            details.uptimeSeconds[instance.index] = (try? device?.status())?.uptimeSeconds
        }
        return details
    }
}

extension NodeState {
    /// The node summed up, as `status`'s exit status tells it.
    public enum Verdict: Equatable, Sendable {
        /// No partition applied and nothing held by the module.
        case nothingApplied
        /// Applied, with drift or an instance not running.
        case drifted
        case asRecorded
    }

    public var verdict: Verdict {
        if applied == nil && view.isEmpty { return .nothingApplied }
        return drift.isEmpty ? .asRecorded : .drifted
    }
}
