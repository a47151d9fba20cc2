import Foundation
import Provisioning

/// Where the state record lives: /run/mcprov (a tmpfs, so it goes with a reboot, as
/// does everything the module held), or MCPROV_STATE_DIR.
public struct StateStore {
    public static var defaultDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["MCPROV_STATE_DIR"] ?? "/run/mcprov")
    }

    public let directory: URL
    var recordURL: URL { directory.appendingPathComponent("state.json") }

    public init(directory: URL = StateStore.defaultDirectory) {
        self.directory = directory
    }

    public enum Reading {
        case none
        case record(StateRecord)
        /// The file is there but unreadable: treated as lost, and said so.
        case corrupt(String)
    }

    public func read() -> Reading {
        guard let data = FileManager.default.contents(atPath: recordURL.path) else { return .none }
        do {
            return .record(try StateRecord.decode(data))
        } catch {
            return .corrupt("\(recordURL.path) is not a state record this mcprov can read (\(error.localizedDescription))")
        }
    }

    public var record: StateRecord? {
        if case .record(let record) = read() { return record }
        return nil
    }

    /// Written to a temporary file and renamed, so a crash never leaves half a record.
    public func write(_ record: StateRecord) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent("state.json.tmp")
        try record.encoded().write(to: temporary)
        guard rename(temporary.path, recordURL.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: recordURL.path])
        }
    }

    public func clear() throws {
        if FileManager.default.fileExists(atPath: recordURL.path) {
            try FileManager.default.removeItem(at: recordURL)
        }
    }
}
