import Foundation
import Provisioning

/// A plan written by `mcprov plan --out`, with the node state it was made against, so
/// that `mcprov apply --plan-file` applies it only to that state.
public struct SavedPlan: Codable, Sendable {
    public var formatVersion = 1
    public var plan: Plan
    public var profile: StateRecord.ProfileStamp
    public var nodeFingerprint: String

    public init(plan: Plan, profile: StateRecord.ProfileStamp, made state: NodeState) {
        self.plan = plan
        self.profile = profile
        self.nodeFingerprint = state.fingerprint
    }

    public static func read(_ path: String) throws -> SavedPlan {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SavedPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Whether the node is still as it was when the plan was made.
    public func fits(_ state: NodeState) -> Bool {
        nodeFingerprint == state.fingerprint
    }
}

extension StateRecord.ProfileStamp {
    /// The profile at `path` as the record names it: its absolute path and its SHA-256.
    public static func of(profileAt path: String, name: String) -> StateRecord.ProfileStamp {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return StateRecord.ProfileStamp(path: absolute, name: name, sha256: SHA256.hex(data))
    }
}
