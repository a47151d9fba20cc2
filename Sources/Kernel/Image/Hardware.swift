import CMcosABI

// The LWK's use of the hardware: shared memory, the local APIC, the GDT and IDT,
// time. Everything below goes through lwk.h (one instruction per function).

let lwkBase: UInt64 = MCOS_LWK_BASE
let physMapBase: UInt64 = MCOS_LWK_PHYS_MAP

/// Shared memory at a virtual address, with ordered accesses (SharedMemory of Logic).
struct RawShared: SharedMemory {
    let base: UnsafeMutableRawPointer
    init(_ address: UInt64) { base = UnsafeMutableRawPointer(bitPattern: UInt(address))! }
    func load64(_ offset: Int) -> UInt64 { lwk_load64(base + offset) }
    func loadAcquire64(_ offset: Int) -> UInt64 { lwk_load_acquire64(base + offset) }
    func storeRelease64(_ offset: Int, _ value: UInt64) { lwk_store_release64(base + offset, value) }
    func store32(_ offset: Int, _ value: UInt32) { lwk_store32(base + offset, value) }
    func load32(_ offset: Int) -> UInt32 { lwk_load32(base + offset) }
    func add32(_ offset: Int, _ value: UInt32) -> UInt32 { lwk_add32(base + offset, value) }
    func store8(_ offset: Int, _ value: UInt8) { lwk_store8(base + offset, value) }
    func load8(_ offset: Int) -> UInt8 { lwk_load8(base + offset) }
}

/// The local APIC: xAPIC registers through the physical map, or x2APIC MSRs.
struct LocalAPIC {
    var x2apic = false
    var mmio: UInt64 = 0

    static func probe() -> LocalAPIC {
        let base = lwk_rdmsr(0x1b)
        var apic = LocalAPIC()
        apic.x2apic = base & (1 << 10) != 0
        apic.mmio = base & 0xf_ffff_f000
        return apic
    }

    func read(_ register: UInt32) -> UInt32 {
        if x2apic { return UInt32(truncatingIfNeeded: lwk_rdmsr(0x800 + register >> 4)) }
        return lwk_load32(UnsafeRawPointer(bitPattern: UInt(physMapBase + mmio + UInt64(register)))!)
    }

    func write(_ register: UInt32, _ value: UInt32) {
        if x2apic { lwk_wrmsr(0x800 + register >> 4, UInt64(value)); return }
        lwk_store32(UnsafeMutableRawPointer(bitPattern: UInt(physMapBase + mmio + UInt64(register)))!, value)
    }

    var id: UInt32 { x2apic ? read(0x20) : read(0x20) >> 24 }

    /// Software-enable with spurious vector 0xff, accept every priority, mask the LVTs.
    func enable() {
        write(0xf0, 0x1ff)
        write(0x80, 0)
        for lvt: UInt32 in [0x320, 0x350, 0x360, 0x370] { write(lvt, 1 << 16) }
    }

    /// Before a CPU is handed back: every LVT masked, the APIC quiet.
    func quiesce() {
        for lvt: UInt32 in [0x320, 0x340, 0x350, 0x360, 0x370] { write(lvt, 1 << 16) }
        write(0xb0, 0)
    }

    func eoi() { write(0xb0, 0) }

    func sendIPI(apicID: UInt32, low: UInt32) {
        if x2apic {
            lwk_wrmsr(0x830, UInt64(apicID) << 32 | UInt64(low))
            return
        }
        write(0x310, apicID << 24)
        write(0x300, low)
        var spins = 0
        while read(0x300) & (1 << 12) != 0 && spins < 1_000_000 {
            lwk_pause()
            spins += 1
        }
    }
}

var tscPerMicrosecond: UInt64 = 1000

func delay(microseconds: UInt64) {
    let end = lwk_rdtsc() &+ microseconds * tscPerMicrosecond
    while lwk_rdtsc() < end { lwk_pause() }
}

