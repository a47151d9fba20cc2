import Foundation
import NodeBasics
import TestSupport
import Testing

@Suite struct StateRecordFileTests {
    @Test func noRecordIsNothingApplied() throws {
        let file = StateRecordFile(directory: Scratch.directory("record"))
        guard case .none = file.read(as: AppliedInstances.self) else { Issue.record("no file, yet a reading"); return }
        #expect(AppliedInstances.read(from: file) == nil)
    }

    @Test func theInstancesAreReadAndTheRestIgnored() throws {
        let file = StateRecordFile(directory: Scratch.directory("record"))
        // The shape mcprov writes (snake_case keys), trimmed to what matters here.
        let record = """
            {
              "applied_at" : "2024-01-01T00:00:00Z",
              "partition" : {
                "instances" : [ { "cpus" : [ 2, 3 ], "index" : 1, "kernel_args" : "hidos" }, { "index" : 0 } ],
                "profile_name" : "p"
              },
              "serial" : 7
            }
            """
        try record.write(to: file.url, atomically: true, encoding: .utf8)
        #expect(AppliedInstances.read(from: file) == [1, 0])
    }

    @Test func anUnreadableRecordSaysWhy() throws {
        let file = StateRecordFile(directory: Scratch.directory("record"))
        try "{ not json".write(to: file.url, atomically: true, encoding: .utf8)
        guard case .corrupt(let why) = file.read(as: AppliedInstances.self) else { Issue.record("corrupt record was accepted"); return }
        #expect(why.hasPrefix("\(file.url.path): cannot be read as a state record"))
        #expect(AppliedInstances.read(from: file) == nil)
    }

    @Test func aLinkedRecordIsNotFollowed() throws {
        let file = StateRecordFile(directory: Scratch.directory("record"))
        let elsewhere = Scratch.directory("elsewhere").appendingPathComponent("state.json")
        try #"{"partition": {"instances": [{"index": 3}]}}"#.write(to: elsewhere, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: file.url.path, withDestinationPath: elsewhere.path)
        guard case .corrupt(let why) = file.read(as: AppliedInstances.self) else { Issue.record("a link was followed"); return }
        #expect(why == "\(file.url.path): is a symbolic link\n  hint: remove it; mcprov never follows links in its state directory")
    }

    @Test func statesAreWrittenByName() throws {
        let encoded = try JSONEncoder().encode([InstanceState.running, .panic])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["running","panic"]"#)
    }
}
