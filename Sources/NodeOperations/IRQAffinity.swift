import Foundation
import NodeBasics

/// Keeps device interrupts off LWK CPUs. Linux moves an IRQ away from a CPU it takes
/// offline but does not move it back when the CPU returns, and never restores what the
/// admin had set: so the affinities that include LWK CPUs are saved, narrowed to Linux's
/// CPUs before the CPUs go, and written back on teardown.
public struct IRQAffinity {
    public let root: URL

    public init(root: URL = URL(fileURLWithPath: "/proc/irq")) {
        self.root = root
    }

    /// Narrows every IRQ whose affinity includes any of `cpus`; returns the original
    /// affinities (`smp_affinity_list` text) by IRQ number. IRQs the kernel will not
    /// move (per-CPU ones) are left as they are.
    public func steer(awayFrom cpus: CPUSet) -> [Int: String] {
        var saved: [Int: String] = [:]
        for irq in irqs() {
            let file = root.appendingPathComponent("\(irq)/smp_affinity_list")
            guard let text = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  let current = try? CPUSet(parsing: text), !current.isDisjoint(with: cpus)
            else { continue }
            let narrowed = current.subtracting(cpus)
            guard !narrowed.isEmpty, (try? narrowed.description.write(to: file, atomically: false, encoding: .utf8)) != nil else { continue }
            saved[irq] = text
        }
        return saved
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
            guard !target.isEmpty, (try? wanted.write(to: file, atomically: false, encoding: .utf8)) != nil else { continue }
            found[irq] = current
            if original.isDisjoint(with: stillHeld) { kept[irq] = nil }
        }
        return (found, kept)
    }

    /// Writes the saved affinities back; IRQs that are gone are skipped.
    public func restore(_ saved: [Int: String]) {
        for (irq, text) in saved.sorted(by: { $0.key < $1.key }) {
            let file = root.appendingPathComponent("\(irq)/smp_affinity_list")
            try? text.write(to: file, atomically: false, encoding: .utf8)
        }
    }

    func irqs() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).compactMap(Int.init).sorted()
    }
}

extension StateStore {
    var irqURL: URL { directory.appendingPathComponent("irq-affinity.json") }

    public func saveIRQAffinities(_ saved: [Int: String]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let merged = savedIRQAffinities().merging(saved) { original, _ in original }
        try JSONEncoder().encode(merged).write(to: irqURL)
    }

    /// Replaces the saved originals (after some went back); an empty map removes the file.
    public func replaceIRQAffinities(_ saved: [Int: String]) throws {
        guard !saved.isEmpty else { clearIRQAffinities(); return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONEncoder().encode(saved).write(to: irqURL)
    }

    public func savedIRQAffinities() -> [Int: String] {
        guard let data = FileManager.default.contents(atPath: irqURL.path) else { return [:] }
        return (try? JSONDecoder().decode([Int: String].self, from: data)) ?? [:]
    }

    public func clearIRQAffinities() {
        try? FileManager.default.removeItem(at: irqURL)
    }
}
