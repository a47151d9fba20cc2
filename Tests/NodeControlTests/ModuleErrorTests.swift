import Foundation
import Testing
@testable import NodeControl

@Suite struct ModuleErrorTests {
    @Test func missingModuleIsSaidPlainly() throws {
        // The host running the tests never has the module loaded (the VM tests cover
        // the loaded case): opening must say so, not fail obscurely.
        try #require(!ModuleClient.isLoaded, "this host has /dev/mcos-ctl; run this test elsewhere")
        #expect {
            _ = try ModuleClient()
        } throws: { error in
            guard let error = error as? ModuleError else { return false }
            return error.kind == .notLoaded && error.description.contains("kernel module not loaded")
                && error.description.contains("insmod mcos.ko")
        }
    }

    @Test func errnosBecomeResourceMessages() {
        let busy = ModuleError.from(EBUSY, "reserve CPUs 2-3", busy: "CPU 2 is already reserved")
        #expect(busy.kind == .busy)
        #expect(busy.description == "reserve CPUs 2-3: CPU 2 is already reserved\n  hint: see `mcprov module query` for what is reserved and assigned")
        #expect(ModuleError.from(EPERM, "x").kind == .permissionDenied)
        #expect(ModuleError.from(EACCES, "x").remedy.contains("root"))
        #expect(ModuleError.from(ENOMEM, "x", noMemory: "NUMA 1 could give only 2 GiB").message == "NUMA 1 could give only 2 GiB")
        #expect(ModuleError.from(EINVAL, "x").kind == .invalidArgument)
        #expect(ModuleError.from(ENOTTY, "x").kind == .incompatible)
        #expect(ModuleError.from(EIO, "x").kind == .other)
    }
}

@Suite struct UndoStackTests {
    final class Log: @unchecked Sendable {
        var entries: [String] = []
    }

    static let failure = ModuleError(kind: .outOfMemory, operation: "reserve 4 GiB on NUMA 1", message: "no", remedy: "less", errno: ENOMEM)

    @Test func failureUndoesCompletedStepsInReverse() {
        let log = Log()
        var stack = UndoStack()
        do {
            try stack.perform({ log.entries.append("take cpus") }, undo: "released CPUs 2-3", by: { log.entries.append("give cpus") })
            try stack.perform({ log.entries.append("take node 0") }, undo: "released NUMA 0", by: { log.entries.append("give node 0") })
            try stack.perform({ () throws(ModuleError) in throw Self.failure }, undo: "never", by: { log.entries.append("never") })
            Issue.record("the failing step did not throw")
        } catch {
            #expect(error.undone == ["released NUMA 0", "released CPUs 2-3"])
            #expect(error.leftOver.isEmpty)
            #expect(error.description.contains("undone: released NUMA 0, released CPUs 2-3."))
        }
        #expect(log.entries == ["take cpus", "take node 0", "give node 0", "give cpus"])
    }

    @Test func failedUndoIsReportedNotHidden() {
        var stack = UndoStack()
        do {
            try stack.perform({}, undo: "released CPUs 2-3", by: { () throws(ModuleError) in throw Self.failure })
            try stack.perform({ () throws(ModuleError) in throw Self.failure }, undo: "never", by: {})
        } catch {
            #expect(error.undone.isEmpty)
            #expect(error.leftOver.count == 1)
            #expect(error.description.contains("COULD NOT UNDO"))
        }
    }

    @Test func committedStepsStay() {
        let log = Log()
        var stack = UndoStack()
        try? stack.perform({}, undo: "a", by: { log.entries.append("undo a") })
        stack.commit()
        _ = stack.rollback(after: Self.failure)
        #expect(log.entries.isEmpty)
    }
}
