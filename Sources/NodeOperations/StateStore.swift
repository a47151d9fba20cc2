import Foundation
import NodeBasics
import Provisioning

/// The state directory as apply and teardown use it: the state record (written here,
/// read through `StateRecordFile`), and beside it what teardown must undo.
public struct StateStore {
    public let directory: URL
    var recordFile: StateRecordFile { StateRecordFile(directory: directory) }
    var recordURL: URL { recordFile.url }

    public init(directory: URL = StateDirectory.standard) {
        self.directory = directory
    }

    public typealias Reading = StateRecordFile.Reading<StateRecord>

    public func read() -> Reading {
        recordFile.read(as: StateRecord.self)
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
