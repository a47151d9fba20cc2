import Foundation
import NodeBasics

/// Keeps device interrupts off LWK CPUs. Linux moves an IRQ away from a CPU it takes
/// offline but does not move it back when the CPU returns, and never restores what the
/// admin had set: so the affinities that include LWK CPUs are saved, narrowed to Linux's
/// CPUs before the CPUs go, and written back on teardown.
public struct IRQAffinity {
    /// Writes an affinity list into an IRQ's smp_affinity_list; false when the kernel
    /// refused it.
    public typealias Writer = (_ file: URL, _ list: String) -> Bool

    public let root: URL
    let write: Writer

    public init(root: URL = URL(fileURLWithPath: "/proc/irq"), write: @escaping Writer = IRQAffinity.writeFile) {
        self.root = root
        self.write = write
    }

    public static func writeFile(_ file: URL, _ list: String) -> Bool {
        (try? list.write(to: file, atomically: false, encoding: .utf8)) != nil
    }

    /// The IRQs whose affinity includes any of `cpus`, each with its affinity now
    /// (`smp_affinity_list` text) and without them. IRQs that only run on those CPUs
    /// are left out: the kernel moves them when the CPUs go.
    public func narrowing(awayFrom cpus: CPUSet) -> [Int: (original: String, narrowed: CPUSet)] {
        var narrowing: [Int: (original: String, narrowed: CPUSet)] = [:]
        for irq in irqs() {
            let file = root.appendingPathComponent("\(irq)/smp_affinity_list")
            guard let text = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  let current = try? CPUSet(parsing: text), !current.isDisjoint(with: cpus)
            else { continue }
            let narrowed = current.subtracting(cpus)
            if !narrowed.isEmpty { narrowing[irq] = (text, narrowed) }
        }
        return narrowing
    }

    /// Writes the narrowed affinities; returns the originals of those written (IRQs the
    /// kernel will not move, per-CPU ones, refuse the write and are left as they are).
    public func narrow(_ narrowing: [Int: (original: String, narrowed: CPUSet)]) -> [Int: String] {
        var written: [Int: String] = [:]
        for (irq, change) in narrowing.sorted(by: { $0.key < $1.key }) {
            let file = root.appendingPathComponent("\(irq)/smp_affinity_list")
            if write(file, change.narrowed.description) {
                written[irq] = change.original
            }
        }
        return written
    }

    /// `cpus` went back to Linux while the module still holds `stillHeld`: every saved
    /// IRQ whose original affinity includes some of `cpus` gets that affinity again,
    /// minus the CPUs still held. Returns the affinities those IRQs had (for an undo) and
    /// the saved originals still needed (those that include a CPU still held).
    public func reopen(_ cpus: CPUSet, saved: [Int: String], stillHeld: CPUSet) -> (found: [Int: String], kept: [Int: String]) {
        var found: [Int: String] = [:], kept = saved
        for (irq, text) in saved.sorted(by: { $0.key < $1.key }) {
            guard let original = try? CPUSet(parsing: text), !original.isDisjoint(with: cpus) else { continue }
            let file = root.appendingPathComponent("\(irq)/smp_affinity_list")
            guard let current = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
                continue  // the IRQ is gone; its original stays for teardown, which skips it too
            }
            let target = original.subtracting(stillHeld)
            let wanted = target == original ? text : target.description
            guard !target.isEmpty, write(file, wanted) else { continue }
            found[irq] = current
            if original.isDisjoint(with: stillHeld) { kept[irq] = nil }
        }
        return (found, kept)
    }

    /// Writes the saved affinities back; IRQs that are gone are skipped.
    public func restore(_ saved: [Int: String]) {
        for (irq, text) in saved.sorted(by: { $0.key < $1.key }) {
            let file = root.appendingPathComponent("\(irq)/smp_affinity_list")
            _ = write(file, text)
        }
    }

    func irqs() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).compactMap(Int.init).sorted()
    }
}

/// IRQ affinities narrowed together with their record, in the order that keeps the
/// record true through a crash: the originals are saved before any IRQ is written, so
/// that teardown finds every IRQ it must give back, whenever mcprov stopped.
struct IRQSteering {
    let irqAffinity: IRQAffinity
    let store: StateStore

    /// Moves device interrupts off `cpus`; returns what the undo needs.
    func steer(awayFrom cpus: CPUSet) throws(StateFileError) -> IRQChange {
        let narrowing = irqAffinity.narrowing(awayFrom: cpus)
        let savedBefore = try store.saveIRQAffinities(narrowing.mapValues(\.original))
        return IRQChange(found: irqAffinity.narrow(narrowing), savedBefore: savedBefore)
    }
}

extension StateStore {
    var irqURL: URL { directory.appendingPathComponent("irq-affinity.json") }

    /// Adds originals to those saved (an IRQ saved already keeps its first original);
    /// returns those saved before.
    @discardableResult
    public func saveIRQAffinities(_ saved: [Int: String]) throws(StateFileError) -> [Int: String] {
        let before = try savedIRQAffinities()
        try replaceIRQAffinities(before.merging(saved) { original, _ in original })
        return before
    }

    /// Replaces the saved originals (after some went back); an empty map removes the file.
    public func replaceIRQAffinities(_ saved: [Int: String]) throws(StateFileError) {
        guard !saved.isEmpty else { return try clearIRQAffinities() }
        try save(try encoded(saved, for: irqURL), to: irqURL)
    }

    /// The affinities teardown restores, by IRQ; a file that does not decode is an error.
    public func savedIRQAffinities() throws(StateFileError) -> [Int: String] {
        try load([Int: String].self, from: irqURL, holds: "the IRQ affinities to restore on teardown") ?? [:]
    }

    public func clearIRQAffinities() throws(StateFileError) {
        try StateFile.remove(irqURL)
    }
}
