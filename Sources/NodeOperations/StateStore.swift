import Foundation
import NodeBasics
import Provisioning

/// The state directory as apply and teardown use it: the state record (written here,
/// read through `StateRecordFile`), and beside it what teardown must undo. Every file
/// is written whole (`StateFile.write`), in a directory `StateDirectoryGuard` accepts.
public struct StateStore {
    public let directory: URL
    var recordFile: StateRecordFile { StateRecordFile(directory: directory) }
    var recordURL: URL { recordFile.url }

    public init(directory: URL = StateDirectory.standard) {
        self.directory = directory
    }

    public typealias Reading = StateRecordFile.Reading<StateRecord>

    public func read() -> Reading {
        do throws(StateFileError) { try StateDirectoryGuard.check(directory) } catch { return .corrupt(error.description) }
        return recordFile.read(as: StateRecord.self)
    }

    public var record: StateRecord? {
        if case .record(let record) = read() { return record }
        return nil
    }

    public func write(_ record: StateRecord) throws {
        try save(try record.encoded(), to: recordURL)
    }

    public func clear() throws {
        try StateDirectoryGuard.check(directory)
        try StateFile.remove(recordURL)
    }

    /// Writes one file of the directory, creating the directory if needed.
    func save(_ data: Data, to url: URL) throws(StateFileError) {
        try StateDirectoryGuard.prepare(directory)
        try StateFile.write(data, to: url)
    }

    /// `value` as JSON for the file at `url`.
    func encoded(_ value: some Encodable, for url: URL) throws(StateFileError) -> Data {
        do { return try JSONEncoder().encode(value) } catch {
            throw StateFileError(path: url.path, problem: "cannot be written: \(error)", remedy: "this is a bug in mcprov; please report it")
        }
    }

    /// Reads one file of the directory, decoded; nil when it does not exist.
    func load<Value: Decodable>(_ type: Value.Type, from url: URL, holds what: String) throws(StateFileError) -> Value? {
        try StateDirectoryGuard.check(directory)
        return try StateFile.decode(type, from: url, holds: what)
    }
}
