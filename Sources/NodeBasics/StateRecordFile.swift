import Foundation

/// Where mcprov keeps what it applied and what it changed on the way: /run/mcprov (a
/// tmpfs, so it goes with a reboot, as does everything the module held), or
/// MCPROV_STATE_DIR.
public enum StateDirectory {
    public static var standard: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["MCPROV_STATE_DIR"] ?? "/run/mcprov")
    }
}

/// The state record, `state.json` in the state directory, read back. mcprov writes it
/// after every apply (NodeOperations' StateStore, whose `StateRecord` is the whole
/// format); a reader decodes the part it needs with the same key and date rules, and
/// ignores the rest.
public struct StateRecordFile: Sendable {
    public let directory: URL
    public var url: URL { directory.appendingPathComponent("state.json") }

    public init(directory: URL = StateDirectory.standard) {
        self.directory = directory
    }

    public enum Reading<Record> {
        case none
        case record(Record)
        /// The file is there but unreadable: treated as lost, and said so.
        case corrupt(String)
    }

    public func read<Record: Decodable>(as type: Record.Type) -> Reading<Record> {
        do throws(StateFileError) {
            guard let record = try StateFile.decode(type, from: url, decoder: Self.decoder, holds: "a state record") else {
                return .none
            }
            return .record(record)
        } catch {
            return .corrupt(error.description)
        }
    }

    /// snake_case keys, ISO 8601 dates, pretty-printed with sorted keys so that a record
    /// reads well and compares with diff.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// The instances of the applied profile, by number: what mcexec needs of the record to
/// pick an instance when none is named.
public struct AppliedInstances: Decodable, Equatable, Sendable {
    public var indices: [Int]

    public init(indices: [Int]) {
        self.indices = indices
    }

    /// The applied profile's instances, or nil when nothing is applied (no record, or
    /// one that cannot be read).
    public static func read(from file: StateRecordFile = StateRecordFile()) -> [Int]? {
        guard case .record(let applied) = file.read(as: AppliedInstances.self) else { return nil }
        return applied.indices
    }

    private enum RecordKeys: String, CodingKey { case partition }
    private enum PartitionKeys: String, CodingKey { case instances }
    private enum InstanceKeys: String, CodingKey { case index }

    public init(from decoder: Decoder) throws {
        var instances = try decoder.container(keyedBy: RecordKeys.self)
            .nestedContainer(keyedBy: PartitionKeys.self, forKey: .partition)
            .nestedUnkeyedContainer(forKey: .instances)
        var indices: [Int] = []
        while !instances.isAtEnd {
            indices.append(try instances.nestedContainer(keyedBy: InstanceKeys.self).decode(Int.self, forKey: .index))
        }
        self.indices = indices
    }
}
