// Starting another CPU the way Linux does: INIT asserted and released, then two
// STARTUP IPIs naming the page where it begins in real mode (Linux's trampoline, which
// the module points at entry.S). entry.S finds the LWK's page table, the stack and its
// index in lwk_ap_cr3, lwk_ap_stack and lwk_ap_index.

extension Arch {
    // Interrupt command words (delivery mode, level, trigger).
    static let initAssert: UInt32 = 0xc500, initDeassert: UInt32 = 0x8500, startup: UInt32 = 0x600

    static func startCPU(_ index: Int, hardwareID: UInt32, stackTop: UInt64, addressSpace: UInt64, trampoline: UInt64) {
        lwk_ap_cr3 = addressSpace
        lwk_ap_stack = stackTop
        lwk_ap_index = UInt32(index)
        let apic = kernel.interrupts
        apic.sendIPI(apicID: hardwareID, low: initAssert)
        delay(microseconds: 10_000)
        apic.sendIPI(apicID: hardwareID, low: initDeassert)
        for _ in 0..<2 {
            apic.sendIPI(apicID: hardwareID, low: startup | UInt32(trampoline >> 12))
            delay(microseconds: 300)
        }
    }
}
