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
    var banBefore: CPUSet?
}

extension Applier {
    /// Moves device interrupts off `cpus`, having saved first the affinities it will
    /// change (`IRQSteering`).
    func steerIRQs(awayFrom cpus: CPUSet) throws(ModuleError) -> IRQChange {
        do { return try IRQSteering(irqAffinity: irqAffinity, store: store).steer(awayFrom: cpus) } catch {
            throw Self.stateDirectoryError("save IRQ affinities", error, store)
        }
    }

    /// `cpus` went back to Linux: the IRQs saved when they were taken get their original
    /// affinities again, minus the CPUs the module still holds.
    func giveIRQsBack(_ cpus: CPUSet) throws(ModuleError) -> IRQChange {
        let savedBefore: [Int: String]
        do { savedBefore = try store.savedIRQAffinities() } catch {
            throw Self.stateDirectoryError("read the saved IRQ affinities", error, store)
        }
        let held = CPUSet(try module.reservedCPUs().map(\.cpu))
        // Written before the record drops them: a crash between leaves originals that
        // teardown writes once more.
        let (found, kept) = irqAffinity.reopen(cpus, saved: savedBefore, stillHeld: held)
        do { try store.replaceIRQAffinities(kept) } catch {
            irqAffinity.restore(found)
            throw Self.stateDirectoryError("save IRQ affinities", error, store)
        }
        return IRQChange(found: found, savedBefore: savedBefore)
    }

    /// Undoes a steer or a give-back: the record first covers every IRQ the undo may
    /// leave narrowed, then the affinities go back, then the record does.
    func revert(_ change: IRQChange) {
        try? store.replaceIRQAffinities(change.savedBefore.merging(change.found) { saved, _ in saved })
        irqAffinity.restore(change.found)
        try? store.replaceIRQAffinities(change.savedBefore)
    }

    /// Restarts irqbalance with every CPU the module holds banned (or without a ban when
    /// it holds none); nil when irqbalance neither runs nor was banned, so nothing changed.
    func banHeldCPUs() throws(ModuleError) -> IRQBalanceChange? {
        let banBefore: CPUSet?
        do { banBefore = try store.irqBalanceBan() } catch {
            throw Self.stateDirectoryError("read the irqbalance ban", error, store)
        }
        guard irqBalance.isActive || banBefore != nil else { return nil }
        let held = CPUSet(try module.reservedCPUs().map(\.cpu))
        let done: Bool
        do { done = try IRQBalanceBan(irqBalance: irqBalance, store: store).set(held) } catch {
            throw Self.stateDirectoryError("record the irqbalance ban", error, store)
        }
        guard done else { throw Self.irqBalanceFailed }
        return IRQBalanceChange(banBefore: banBefore)
    }

    func revert(_ change: IRQBalanceChange?) {
        guard let change else { return }
        _ = try? IRQBalanceBan(irqBalance: irqBalance, store: store).set(change.banBefore ?? CPUSet())
    }

    static let irqBalanceFailed = ModuleError(
        kind: .other, operation: "restart irqbalance", message: "systemctl failed",
        remedy: "see `systemctl status irqbalance`; or stop irqbalance before applying", errno: EIO)
}
