import CMcosABI

// The LWK's global state and the services every part of it uses: the window onto its
// memory, the boot block, the log, the IKC rings, short delays, and stopping on a panic.

let lwkBase: UInt64 = MCOS_LWK_BASE
let physMapBase: UInt64 = MCOS_LWK_PHYS_MAP

struct Kernel {
    var block: UInt64 = 0  // boot block, window address
    var info = BootInfo()
    var options = BootOptions()
    /// Physical memory (Frames.swift); nil until `setUpFrames` ran.
    var frames: FrameAllocator?
    /// The kernel's own page-table root; every process's shares its slots.
    var addressSpace: UInt64 = 0
    var interrupts = InterruptController()
    var kmsg: UInt64 = 0  // kmsg ring through the physical map, 0 until mapped
    var ikc: UInt64 = 0  // IKC area, window address
    /// The IKC rings' geometry, the LWK's own: announced in the boot block, and the only
    /// numbers it indexes a ring with, whatever a ring's shared header says later.
    var ikcRingBytes = 4096
    var ikcSlots: UInt32 { IKCRing<RawShared>.slots(fitting: ikcRingBytes) }
}

nonisolated(unsafe) var kernel = Kernel()
nonisolated(unsafe) var kmsgLock: UInt32 = 0

func windowAddress(physical: UInt64) -> UInt64? {
    kernel.info.windowOffset(physical: physical).map { lwkBase + $0 }
}

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
    func fence() { lwk_fence() }
}

/// The fields of the boot block the module and the LWK share while it runs.
var bootBlock: LiveBootBlock<RawShared> { LiveBootBlock(memory: RawShared(kernel.block)) }

func shutdownRequested() -> Bool { bootBlock.shutdownRequested }

/// A kmsg line in McKernel's shape, to the kmsg ring (once mapped) and the console.
func log(_ cpu: Int, _ message: String) {
    let line = LogLine.format(cpu: cpu, message)
    lwk_spin_lock(&kmsgLock)
    if kernel.kmsg != 0 { kmsgRing().write(line) }
    for byte in line.utf8 { lwk_console_putc(byte) }
    lwk_spin_unlock(&kmsgLock)
}

/// The kmsg buffer (mapped: kernel.kmsg != 0), sized by the LWK's own constant, never
/// by its shared header.
func kmsgRing() -> KmsgRing<RawShared> {
    KmsgRing(memory: RawShared(kernel.kmsg), dataBytes: KmsgRing<RawShared>.bufferDataBytes)
}

/// Ring `index` of the IKC area (mcos_abi.h names where each one sits).
func ikcRing(_ index: UInt32) -> IKCRing<RawShared> {
    IKCRing(memory: RawShared(kernel.ikc + UInt64(index) * UInt64(kernel.ikcRingBytes)), slots: kernel.ikcSlots)
}

/// A line of the panic path, `body` writing it into a static buffer (no heap: it may be
/// what failed), under the kmsg lock if it can be had within a while, without it if
/// not (the panic may have struck while the lock was held).
func logPanicLine(_ cpu: Int, _ body: (inout FixedText) -> Void) {
    let locked = lwk_spin_trylock(&kmsgLock, 100_000_000) != 0
    var line = FixedText(storage: lwk_panic_text(), capacity: Int(LWK_PANIC_TEXT_BYTES))
    line.appendLinePrefix(cpu: cpu)
    body(&line)
    line.append(byte: 0x0a)
    if kernel.kmsg != 0 { kmsgRing().write(bytes: line.bytes) }
    for byte in line.bytes { lwk_console_putc(byte) }
    if locked { lwk_spin_unlock(&kmsgLock) }
}

/// The context this code runs in (without time_sharing: the LWK CPU), -1 if the CPU's
/// hardware id is none of ours.
func currentCPU() -> Int {
    let id = kernel.interrupts.id
    guard let cpu = kernel.info.cpus.firstIndex(where: { $0.apicID == id }) else { return -1 }
    return cpu < cores.count ? cores[cpu].turns.running : cpu
}

/// Cycles per microsecond, from the frequency the module measured.
nonisolated(unsafe) var cyclesPerMicrosecond: UInt64 = 1000

func delay(microseconds: UInt64) {
    let end = Arch.cycles() &+ microseconds * cyclesPerMicrosecond
    while Arch.cycles() < end { Arch.relax() }
}

/// Marks the instance PANIC (naming `cpu`) and stops this CPU for good.
func panicStop(_ cpu: Int) -> Never {
    bootBlock.recordPanic(cpu: cpu)
    bootBlock.setStatus(MCOS_BOOT_PANIC)
    Arch.haltForever()
}
