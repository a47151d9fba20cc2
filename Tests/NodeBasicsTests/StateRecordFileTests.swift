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
        #expect(why.hasPrefix("\(file.url.path) is not a state record this mcprov can read"))
        #expect(AppliedInstances.read(from: file) == nil)
    }

    @Test func statesAreWrittenByName() throws {
        let encoded = try JSONEncoder().encode([InstanceState.running, .panic])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["running","panic"]"#)
    }
}
