import CMcosABI

/// The boot block in place (`struct mcos_boot_block`), for the fields the LWK and the
/// module keep touching while the LWK runs: what the LWK reports (its status, how many
/// CPUs started or parked, who panicked, where its IKC rings are) and what the module
/// asks (shutdown, the interrupt that wakes Linux). Each access is one ordered load or store of that field.
public struct LiveBootBlock<Memory: SharedMemory> {
    public let memory: Memory

    public init(memory: Memory) { self.memory = memory }

    /// Window offset where free memory starts, before the block is parsed.
    public var freeOffset: UInt64 { memory.load64(MemoryLayout<mcos_boot_block>.offset(of: \.free_off)!) }

    public func setStatus(_ status: mcos_boot_status) {
        memory.store32(MemoryLayout<mcos_boot_block>.offset(of: \.status)!, status.rawValue)
    }

    /// Whether the module asked every CPU to park.
    public var shutdownRequested: Bool { memory.load32(MemoryLayout<mcos_boot_block>.offset(of: \.shutdown)!) != 0 }

    /// The interrupt that wakes a Linux thread sleeping on a ring: its vector and the
    /// APIC id of the Linux CPU it goes to, read in one load since the module may move
    /// it; nil while Linux polls (or names no external-interrupt vector).
    public var linuxInterrupt: (vector: UInt32, apicID: UInt32)? {
        let notify = memory.load64(MemoryLayout<mcos_boot_block>.offset(of: \.notify)!)
        let vector = UInt32(truncatingIfNeeded: notify & 0xff)
        guard vector >= 32 else { return nil }
        return (vector, UInt32(truncatingIfNeeded: notify >> 32))
    }

    public var startedCPUs: UInt32 { memory.load32(MemoryLayout<mcos_boot_block>.offset(of: \.nr_started)!) }

    /// The boot CPU is in: the count starts at one.
    public func bootCPUStarted() { memory.store32(MemoryLayout<mcos_boot_block>.offset(of: \.nr_started)!, 1) }

    /// Another CPU reached the kernel.
    public func cpuStarted() { _ = memory.add32(MemoryLayout<mcos_boot_block>.offset(of: \.nr_started)!, 1) }

    /// A CPU parked for shutdown.
    public func cpuParked() { _ = memory.add32(MemoryLayout<mcos_boot_block>.offset(of: \.nr_parked)!, 1) }

    /// `cpu` panicked (the module reads the index + 1; 0 means none).
    public func recordPanic(cpu: Int) {
        memory.store32(MemoryLayout<mcos_boot_block>.offset(of: \.panic_cpu)!, UInt32(truncatingIfNeeded: cpu + 1))
    }

    /// The IKC area, its rings' geometry and how many contexts (channels) it serves;
    /// the module reads them once the status says READY, which is stored (with release
    /// ordering) after them.
    public func publishIKC(physical: UInt64, ringBytes: UInt32, slots: UInt32, contexts: UInt32) {
        memory.store32(MemoryLayout<mcos_boot_block>.offset(of: \.nr_contexts)!, contexts)
        memory.storeRelease64(MemoryLayout<mcos_boot_block>.offset(of: \.ikc_phys)!, physical)
        memory.store32(MemoryLayout<mcos_boot_block>.offset(of: \.ikc_bytes)!, ringBytes)
        memory.store32(MemoryLayout<mcos_boot_block>.offset(of: \.ikc_slots)!, slots)
    }
}
