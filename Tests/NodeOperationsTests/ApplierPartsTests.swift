import Foundation
import NodeBasics
import Testing
@testable import NodeOperations

@Suite struct ReservationMeterTests {
    @Test func theReservationMeterSaysHowFar() {
        #expect(ReservationMeter.line(3 << 30, of: 12 << 30, numa: 1) == "    reserved 3 GiB of 12 GiB on NUMA 1 (25 %)")
        #expect(!ReservationMeter(total: 1 << 30, numa: 0, slice: 1 << 30, terminal: true).shown, "one slice: no progress line")
        #expect(ReservationMeter(total: 2 << 30, numa: 0, slice: 1 << 30, terminal: true).shown)
        #expect(!ReservationMeter(total: 2 << 30, numa: 0, slice: 1 << 30, terminal: false).shown)
    }
}

@Suite struct IRQReopenTests {
    @Test func releasedCPUsGetTheirIRQsBack() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("irq-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func set(_ irq: Int, _ text: String) throws {
            let dir = root.appendingPathComponent("\(irq)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try text.write(to: dir.appendingPathComponent("smp_affinity_list"), atomically: false, encoding: .utf8)
        }
        func get(_ irq: Int) throws -> String {
            try String(contentsOf: root.appendingPathComponent("\(irq)/smp_affinity_list"), encoding: .utf8)
        }
        // originals 0-3 (narrowed to 0-1 while 2-3 were LWK CPUs), 3 (pinned by the admin,
        // narrowed to 0), 1 (never touched)
        try set(10, "0-1"); try set(11, "0"); try set(12, "1")
        let saved = [10: "0-3", 11: "3"]
        let irq = IRQAffinity(root: root)
        // CPU 3 goes back, CPU 2 stays with the LWK
        let (found, kept) = irq.reopen(CPUSet([3]), saved: saved, stillHeld: CPUSet([2]))
        #expect(try get(10) == "0-1,3")
        #expect(try get(11) == "3", "the admin's own text, now that none of its CPUs is held")
        #expect(try get(12) == "1")
        #expect(found == [10: "0-1", 11: "0"])
        #expect(kept == [10: "0-3"], "IRQ 10 still needs its original for when CPU 2 goes back")
        irq.restore(found)  // the undo
        #expect(try get(10) == "0-1" && get(11) == "0")
    }
}
