// The local APIC: xAPIC registers through the physical map, or x2APIC MSRs. It is the
// interrupt controller the generic kernel knows: end of interrupt, quiet before a CPU
// goes back to Linux, this CPU's hardware id; and the IPIs that start other CPUs.

typealias InterruptController = LocalAPIC

struct LocalAPIC {
    var x2apic = false
    var mmio: UInt64 = 0

    // Register offsets in the xAPIC page (x2APIC: MSR 0x800 + offset / 16).
    enum Register {
        static let id: UInt32 = 0x20, taskPriority: UInt32 = 0x80, endOfInterrupt: UInt32 = 0xb0
        static let spurious: UInt32 = 0xf0, commandLow: UInt32 = 0x300, commandHigh: UInt32 = 0x310
        static let timer: UInt32 = 0x320, performance: UInt32 = 0x340
        static let lint0: UInt32 = 0x350, lint1: UInt32 = 0x360, error: UInt32 = 0x370
        static let timerInitialCount: UInt32 = 0x380, timerCurrentCount: UInt32 = 0x390, timerDivide: UInt32 = 0x3e0
    }

    static let baseMSR: UInt32 = 0x1b, x2apicFirstMSR: UInt32 = 0x800, x2apicCommandMSR: UInt32 = 0x830
    static let baseX2APICEnable: UInt64 = 1 << 10, baseAddressMask: UInt64 = 0xf_ffff_f000
    static let masked: UInt32 = 1 << 16, softwareEnable: UInt32 = 1 << 8, spuriousVector: UInt32 = 0xff
    static let commandPending: UInt32 = 1 << 12
    /// The timer's vector: Linux's LOCAL_TIMER_VECTOR, which is also what a Linux tick
    /// broadcast would send. The LWK's timer is one-shot and armed only when a CPU's
    /// contexts need it (ContextTurns.timer): a turn that must end, a timeout.
    static let timerVector: UInt32 = 0xec
    /// Divide configuration 0b1011: the timer counts at the APIC's own clock.
    static let divideByOne: UInt32 = 0xb

    static func probe() -> LocalAPIC {
        let base = lwk_rdmsr(baseMSR)
        var apic = LocalAPIC()
        apic.x2apic = base & baseX2APICEnable != 0
        apic.mmio = base & baseAddressMask
        return apic
    }

    /// The xAPIC register page, which the kernel maps uncached.
    var registers: (physical: UInt64, bytes: UInt64) { (mmio, 4096) }

    /// "xAPIC 0x00000000fee00000", for the boot log.
    var description: String { "\(x2apic ? "x2APIC" : "xAPIC") \(LogLine.hex(mmio))" }

    func read(_ register: UInt32) -> UInt32 {
        if x2apic { return UInt32(truncatingIfNeeded: lwk_rdmsr(Self.x2apicFirstMSR + register >> 4)) }
        return lwk_load32(UnsafeRawPointer(bitPattern: UInt(physMapBase + mmio + UInt64(register)))!)
    }

    func write(_ register: UInt32, _ value: UInt32) {
        if x2apic { lwk_wrmsr(Self.x2apicFirstMSR + register >> 4, UInt64(value)); return }
        lwk_store32(UnsafeMutableRawPointer(bitPattern: UInt(physMapBase + mmio + UInt64(register)))!, value)
    }

    var id: UInt32 { x2apic ? read(Register.id) : read(Register.id) >> 24 }

    /// Software-enable with the spurious vector, accept every priority, mask the LVTs.
    func enable() {
        write(Register.spurious, Self.softwareEnable | Self.spuriousVector)
        write(Register.taskPriority, 0)
        for lvt in [Register.lint0, Register.lint1, Register.error] { write(lvt, Self.masked) }
        write(Register.timer, Self.masked | Self.timerVector)
    }

    /// Before a CPU is handed back: every LVT masked, the APIC quiet.
    func quiesce() {
        for lvt in [Register.timer, Register.performance, Register.lint0, Register.lint1, Register.error] { write(lvt, Self.masked) }
        write(Register.endOfInterrupt, 0)
    }

    func eoi() { write(Register.endOfInterrupt, 0) }

    /// The timer's counts per 1024 TSC cycles, measured over `microseconds` of the TSC
    /// (at boot, once: every CPU's APIC runs at the same bus clock); the timer is left
    /// stopped and masked.
    func measureTimer(microseconds: UInt64) -> UInt64 {
        write(Register.timerDivide, Self.divideByOne)
        write(Register.timer, Self.masked | Self.timerVector)
        let start = Arch.cycles()
        write(Register.timerInitialCount, UInt32.max)
        delay(microseconds: microseconds)
        let counted = UInt64(UInt32.max - read(Register.timerCurrentCount))
        let cycles = Arch.cycles() &- start
        write(Register.timerInitialCount, 0)
        return cycles == 0 ? 1 : max((counted << 10) / cycles, 1)
    }

    /// One interrupt on `timerVector` after `counts` of the timer (at least one); 0
    /// stops it.
    func timerOnce(counts: UInt64) {
        guard counts > 0 else {
            write(Register.timer, Self.masked | Self.timerVector)
            write(Register.timerInitialCount, 0)
            return
        }
        write(Register.timerDivide, Self.divideByOne)
        write(Register.timer, Self.timerVector)
        write(Register.timerInitialCount, UInt32(truncatingIfNeeded: min(counts, UInt64(UInt32.max))))
    }

    /// Sends `vector` to `apicID` (fixed delivery, physical destination).
    func interrupt(apicID: UInt32, vector: UInt32) { sendIPI(apicID: apicID, low: vector & 0xff) }

    /// Sends the interrupt command `low` (delivery mode, level, vector) to `apicID`.
    func sendIPI(apicID: UInt32, low: UInt32) {
        if x2apic {
            lwk_wrmsr(Self.x2apicCommandMSR, UInt64(apicID) << 32 | UInt64(low))
            return
        }
        write(Register.commandHigh, apicID << 24)
        write(Register.commandLow, low)
        var spins = 0
        while read(Register.commandLow) & Self.commandPending != 0 && spins < 1_000_000 {
            Arch.relax()
            spins += 1
        }
    }
}
