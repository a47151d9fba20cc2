import NodeBasics

/// What `apply` would do to take the node from what is applied now to the profile's
/// partition, as a list of steps an admin can read before anything happens.
public struct Plan: Equatable, Sendable, Codable {
    /// Bumped when a field changes meaning or disappears; consumers ignore unknown fields.
    public static let formatVersion = 1

    public var formatVersion: Int = Plan.formatVersion
    public var profile: ProfileReference
    public var topology: String
    public var partition: Partition
    /// What is applied on the node now; nil when nothing is.
    public var applied: Partition?
    public var changes: [Change]
    public var summary: Summary

    /// `stopped`: applied instances that are not running now (state by instance), which
    /// converging means booting again.
    public init(profile: ProfileReference, topology: String, partition: Partition, applied: Partition?, stopped: [Int: InstanceState] = [:]) {
        self.profile = profile
        self.topology = topology
        self.partition = partition
        self.applied = applied
        self.changes = Planner.changes(from: applied, to: partition, stopped: stopped)
        self.summary = Summary(changes: changes)
    }

    public var hasChanges: Bool { !changes.isEmpty }

    enum CodingKeys: String, CodingKey {
        case formatVersion, profile, topology, partition, applied, changes, summary
    }

    /// Written by hand so that `applied` is always present, as `null` when nothing is
    /// applied: consumers should not have to guess whether a field was forgotten.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(profile, forKey: .profile)
        try container.encode(topology, forKey: .topology)
        try container.encode(partition, forKey: .partition)
        try container.encode(applied, forKey: .applied)
        try container.encode(changes, forKey: .changes)
        try container.encode(summary, forKey: .summary)
    }
}

public struct ProfileReference: Equatable, Sendable, Codable {
    public var path: String
    public var name: String

    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }
}

/// One step of a plan.
public struct Change: Equatable, Sendable, Codable {
    public enum Action: String, Sendable, Codable {
        case add, change, destroy, replace

        /// Terraform's marks, which admins already read fluently.
        public var symbol: String {
            switch self {
            case .add: return "+"
            case .change: return "~"
            case .destroy: return "-"
            case .replace: return "-/+"
            }
        }
    }

    /// What the step costs the programs running on the LWK.
    public enum Impact: String, Sendable, Codable, Comparable {
        /// Nothing was applied: the partition is created.
        case creates
        /// Only the record changes; the LWK keeps running.
        case inPlace = "in-place"
        /// The LWK shuts down and boots again on (mostly) the same resources.
        case restartsLWK = "restarts-lwk"
        /// The instance's resources are all given back and new ones taken.
        case replacesPartition = "replaces-partition"

        var rank: Int {
            switch self {
            case .inPlace: return 0
            case .creates: return 1
            case .restartsLWK: return 2
            case .replacesPartition: return 3
            }
        }

        public static func < (a: Impact, b: Impact) -> Bool { a.rank < b.rank }
    }

    public enum Resource: String, Sendable, Codable {
        case cpus, memory, instance, ikc, kernel, boot, record
    }

    public var action: Action
    public var impact: Impact
    public var resource: Resource
    /// The OS instance the step is about; nil for the partition as a whole.
    public var instance: Int?
    /// The step in words, without its mark: `reserve cpus 4-67 (64 CPUs)`.
    public var text: String
}

public struct Summary: Equatable, Sendable, Codable {
    public var add: Int
    public var change: Int
    public var destroy: Int
    /// The heaviest impact of any step; nil when there is nothing to do.
    public var impact: Change.Impact?

    public init(changes: [Change]) {
        add = changes.filter { $0.action == .add }.count
        change = changes.filter { $0.action == .change || $0.action == .replace }.count
        destroy = changes.filter { $0.action == .destroy }.count
        impact = changes.map(\.impact).max()
    }
}
