import Foundation
import NodeBasics
import NodeControl

extension Applier {
    /// Reserves `bytes` more on a node where the instance holds `had`. A partial
    /// reservation sits in the pool beside the instance's chunks, and the module releases
    /// a node only as a whole, so a failure restores the node's old amount at once.
    func growReservation(os: Int, numa: Int, bytes: UInt64, had: UInt64, poolBefore: UInt64) throws(ModuleError) {
        do throws(ModuleError) {
            try reserveMemory(bytes, numa: numa, cleanUp: false)
        } catch {
            do throws(ModuleError) {
                try restoreMemory(device(os), numa: numa, bytes: had, poolBefore: poolBefore)
            } catch let undo {
                throw ModuleError(kind: error.kind, operation: error.operation, message: "\(error.message); and then: \(undo.description)",
                                  remedy: "run `mcprov teardown`", errno: error.errno)
            }
            throw error
        }
    }

    /// Brings a node's memory back to what the instance held before the apply: it holds
    /// `bytes` there again and the node's pool holds what it did (`poolBefore`). When the
    /// pool holds exactly the old chunks (the failure came before anything was released
    /// or reserved), they are assigned again; otherwise the node's pool is given back as a
    /// whole (the only way the module has) and the old amount reserved and assigned anew.
    func restoreMemory(_ os: InstanceClient, numa: Int, bytes: UInt64, poolBefore: UInt64) throws(ModuleError) {
        try os.shutdown()  // unassigning needs INACTIVE: a later step may have loaded an image
        try os.unassignMemory(node: numa)
        let pool = try module.unassignedBytes(node: numa)
        if pool != poolBefore + bytes {
            guard poolBefore == 0 else {
                throw ModuleError(
                    kind: .busy, operation: "restore the memory of os \(os.index) on NUMA \(numa)",
                    message: "NUMA \(numa) already held \(formatBytes(poolBefore)) unassigned before; the chunks cannot be told apart",
                    remedy: "run `mcprov teardown`, then apply again", errno: EBUSY)
            }
            if pool > 0 { try module.releaseMemory(node: numa) }
            if bytes > 0 { try reserveMemory(bytes, numa: numa, cleanUp: true) }
        }
        if bytes > 0 { _ = try os.assignMemory(node: numa, bytes: bytes) }
    }

    /// Memory is reserved a slice at a time so that a long reservation shows how far it
    /// got (on a terminal) and SIGINT/SIGTERM is heeded between slices.
    public static let reservationSlice: UInt64 = 1 << 30

    /// Reserves `bytes` on `numa`. With `cleanUp`, what a failed call reserved is
    /// released again (guarded: only when the node's pool was empty before, see
    /// `undoReservation`); without, the caller's undo covers it. When the node has
    /// chunks assigned to an instance, RELEASE_MEM would refuse that cleanup, so the
    /// reservation is made in one all-or-nothing call instead, without progress.
    func reserveMemory(_ bytes: UInt64, numa: Int, cleanUp: Bool) throws(ModuleError) {
        var sliceBytes = Self.reservationSlice
        var before: UInt64 = 0
        if cleanUp {
            let chunks = try module.memoryChunks(node: numa)
            before = chunks.filter { $0.instance == nil }.reduce(0) { $0 + $1.bytes }
            if chunks.contains(where: { $0.instance != nil }) { sliceBytes = bytes }
        }
        let meter = ReservationMeter(total: bytes, numa: numa, slice: sliceBytes)
        var done: UInt64 = 0
        let label = InstanceStep.reserveMemory(numa: numa, bytes: bytes).label
        do {
            while done < bytes {
                if done > 0 { try Interruption.check(before: label) }
                let slice = min(sliceBytes, bytes - done)
                _ = try module.reserveMemory(bytes: slice, node: numa)
                done += slice
                meter.show(done)
            }
            meter.finish()
        } catch {
            meter.finish()
            if cleanUp, done > 0 { try? module.undoReservation(node: numa, unassignedBefore: before) }
            throw error
        }
    }
}

/// A progress line for a reservation of more than one slice, on standard error when it
/// is a terminal: `reserved 3 GiB of 12 GiB on NUMA 1`, rewritten in place.
struct ReservationMeter {
    let total: UInt64
    let numa: Int
    let shown: Bool

    init(total: UInt64, numa: Int, slice: UInt64, terminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.numa = numa
        self.shown = terminal && total > slice
    }

    static func line(_ done: UInt64, of total: UInt64, numa: Int) -> String {
        "    reserved \(formatBytes(done)) of \(formatBytes(total)) on NUMA \(numa) (\(done * 100 / max(total, 1)) %)"
    }

    func show(_ done: UInt64) {
        guard shown else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(done, of: total, numa: numa)).utf8))
    }

    func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
