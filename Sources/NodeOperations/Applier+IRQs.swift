import Foundation
import NodeBasics
import NodeControl

/// What a step changed in IRQ affinities: the affinities it found on the IRQs it wrote,
/// and the saved originals as they were before it. Undoing writes both back.
struct IRQChange {
    var found: [Int: String] = [:]
    var savedBefore: [Int: String] = [:]
}

/// irqbalance was restarted with a new ban; `banBefore` is the ban it had (nil: none).
struct IRQBalanceChange {
    var banBefore: String?
}

extension Applier {
    /// Moves device interrupts off `cpus` and saves the affinities it changed (what a
    /// later teardown restores).
    func steerIRQs(awayFrom cpus: CPUSet) throws(ModuleError) -> IRQChange {
        let savedBefore = store.savedIRQAffinities()
        let found = irqAffinity.steer(awayFrom: cpus)
        do { try store.saveIRQAffinities(found) } catch {
            irqAffinity.restore(found)
            throw Self.stateDirectoryError("save IRQ affinities", error, store)
        }
        return IRQChange(found: found, savedBefore: savedBefore)
    }

    /// `cpus` went back to Linux: the IRQs saved when they were taken get their original
    /// affinities again, minus the CPUs the module still holds.
    func giveIRQsBack(_ cpus: CPUSet) throws(ModuleError) -> IRQChange {
        let savedBefore = store.savedIRQAffinities()
        let held = CPUSet(try module.reservedCPUs().map(\.cpu))
        let (found, kept) = irqAffinity.reopen(cpus, saved: savedBefore, stillHeld: held)
        do { try store.replaceIRQAffinities(kept) } catch {
            irqAffinity.restore(found)
            throw Self.stateDirectoryError("save IRQ affinities", error, store)
        }
        return IRQChange(found: found, savedBefore: savedBefore)
    }

    func revert(_ change: IRQChange) {
        irqAffinity.restore(change.found)
        try? store.replaceIRQAffinities(change.savedBefore)
    }

    /// Restarts irqbalance with every CPU the module holds banned (or without a ban when
    /// it holds none); nil when irqbalance neither runs nor was banned, so nothing changed.
    func banHeldCPUs() throws(ModuleError) -> IRQBalanceChange? {
        let banBefore = store.irqBalanceBan
        guard irqBalance.isActive || banBefore != nil else { return nil }
        let held = CPUSet(try module.reservedCPUs().map(\.cpu))
        let done: Bool
        if held.isEmpty {
            done = irqBalance.unban()
            store.clearIRQBalanceBan()
        } else {
            done = irqBalance.ban(held) && (try? store.noteIRQBalanceBan(held)) != nil
        }
        guard done else { throw Self.irqBalanceFailed }
        return IRQBalanceChange(banBefore: banBefore)
    }

    func revert(_ change: IRQBalanceChange?) {
        guard let change else { return }
        if let banBefore = change.banBefore, let cpus = try? CPUSet(parsing: banBefore) {
            irqBalance.ban(cpus)
            try? store.noteIRQBalanceBan(cpus)
        } else {
            irqBalance.unban()
            store.clearIRQBalanceBan()
        }
    }

    static let irqBalanceFailed = ModuleError(
        kind: .other, operation: "restart irqbalance", message: "systemctl failed",
        remedy: "see `systemctl status irqbalance`; or stop irqbalance before applying", errno: EIO)
}
