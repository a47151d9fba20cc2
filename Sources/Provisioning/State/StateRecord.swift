import Foundation
import NodeBasics

/// What mcprov remembers of the last apply, under /run/mcprov (a tmpfs: gone after a
/// reboot, like everything the module held). It is a cache of the truth, which lives in
/// the module: `Reconciler` checks it against the module's view on every use.
public struct StateRecord: Equatable, Sendable, Codable {
    public static let formatVersion = 1

    public struct ProfileStamp: Equatable, Sendable, Codable {
        public var path: String
        public var name: String
        public var sha256: String

        public init(path: String, name: String, sha256: String) {
            self.path = path
            self.name = name
            self.sha256 = sha256
        }
    }

    public var formatVersion = StateRecord.formatVersion
    /// Changes by one with every apply; a saved plan names the serial it was made against.
    public var serial: Int
    public var profile: ProfileStamp
    public var partition: Partition
    public var appliedAt: Date
    public var updatedAt: Date

    public init(serial: Int, profile: ProfileStamp, partition: Partition, appliedAt: Date, updatedAt: Date) {
        self.serial = serial
        self.profile = profile
        self.partition = partition
        self.appliedAt = appliedAt
        self.updatedAt = updatedAt
    }

    public func encoded() throws -> Data {
        try StateRecordFile.encoder.encode(self)
    }

}
