import CMcosABI

// The LWK from the moment the architecture's entry hands a CPU over.
// BSP: boot block → frame allocators → own page tables → CPU tables, interrupts →
// kmsg → IKC rings → its other CPUs → READY → master ack → RUNNING → idle.
// Every other CPU: its tables, then idle.

/// Page-table memory seen through the window (tables are in our own chunks).
struct WindowTables: TableMemory {
    mutating func allocateTable() -> UInt64? {
        guard let page = allocate(bytes: PageTables.smallPage, node: kernel.info.cpus[0].node) else { return nil }
        zeroFrame(page)
        return page
    }
    func read(_ physical: UInt64) -> UInt64 { lwk_load64(lwk_ptr(windowAddress(physical: physical)!)) }
    mutating func write(_ physical: UInt64, _ value: UInt64) {
        lwk_store_release64(lwk_ptr(windowAddress(physical: physical)!), value)
    }
}

/// Our own page tables: the window over the chunk list (2 MiB pages where the chunks
/// allow), and in the physical map the kmsg ring, the interrupt controller's registers
/// (uncached) and Linux's trampoline lock word.
func buildPageTables() -> UInt64? {
    var memory = WindowTables()
    let layout = PageTables.layout(virtualBase: lwkBase, chunks: kernel.info.chunks.map { ($0.physical, $0.bytes) })
    // With isolation no kernel translation may be global: it would outlive the switch
    // to the user root in the TLB.
    let windowFlags = kernel.options.pageTableIsolation ? PageTables.kernelWindow & ~PageTables.global : PageTables.kernelWindow
    guard let root = PageTables.build(layout, flags: windowFlags, into: &memory) else { return nil }
    func mapPhysical(_ physical: UInt64, _ bytes: UInt64, uncached: Bool) -> Bool {
        let page = PageTables.smallPage
        var address = physical & ~(page - 1)
        while address < physical + bytes {
            let flags = PageTables.physicalMap | (uncached ? PageTables.uncached : 0)
            guard PageTables.map(virtual: physMapBase + address, physical: address, large: false, flags: flags, root: root, memory: &memory) else {
                return false
            }
            address += page
        }
        return true
    }
    let registers = kernel.interrupts.registers
    guard mapPhysical(kernel.info.kmsgPhysical, UInt64(MCOS_KMSG_SIZE), uncached: false),
          mapPhysical(registers.physical, registers.bytes, uncached: true) else { return nil }
    if kernel.info.trampolineLockPhysical != 0, !mapPhysical(kernel.info.trampolineLockPhysical, 4, uncached: false) { return nil }
    // The table of the CPUs' slots for Linux frames (LinuxFrames.swift), made now and
    // left empty: a slot is filled only while its CPU reads or writes such a frame.
    guard PageTables.map(virtual: linuxFrameSlots, physical: kernel.info.kmsgPhysical & ~(PageTables.smallPage - 1), large: false,
                         flags: PageTables.physicalMap, root: root, memory: &memory),
          let slot = PageTables.leafSlot(linuxFrameSlots, root: root, memory: memory) else { return nil }
    memory.write(slot, 0)
    linuxFrameSlotTable = slot
    return root
}

/// Linux's trampoline takes a lock (6.5+) that only its own AP start-up would release.
func releaseTrampolineLock() {
    if kernel.info.trampolineLockPhysical != 0 {
        lwk_store32(lwk_ptr(physMapBase + kernel.info.trampolineLockPhysical), 0)
    }
}

/// Before the log exists: the console only, then PANIC.
func earlyPanic(_ message: StaticString) -> Never {
    lwk_console_write(UnsafeRawPointer(message.utf8Start).assumingMemoryBound(to: CChar.self), message.utf8CodeUnitCount)
    panicStop(0)
}

@_cdecl("lwk_bsp_main")
func bspMain(_ block: UnsafeMutableRawPointer) {
    kernel.block = UInt64(UInt(bitPattern: block))
    // The heap for Swift: a fixed 1 MiB after the boot area (the module leaves
    // free_off past it); the frame allocators start after the heap.
    let raw = UnsafeRawBufferPointer(start: block, count: Int(MCOS_BOOT_AREA_SIZE))
    lwk_heap_init(lwk_ptr(lwkBase + bootBlock.freeOffset), 1 << 20)
    let info: BootInfo
    do {
        info = try BootInfo(parsing: raw)
    } catch {
        earlyPanic("mcos LWK: bad boot block\n")
    }
    kernel.info = info
    kernel.info.freeOffset += 1 << 20
    if info.tscKHz >= 1000 { cyclesPerMicrosecond = info.tscKHz / 1000 }
    guard setUpFrames() else { earlyPanic("mcos LWK: no memory for the frame allocator\n") }
    kernel.interrupts = InterruptController.probe()
    kernel.options = BootOptions(parsing: info.commandLine, testFaults: testFaultsBuilt)
    guard let root = buildPageTables() else { earlyPanic("mcos LWK: no memory for page tables\n") }
    Arch.switchAddressSpace(to: root)
    kernel.addressSpace = root
    releaseTrampolineLock()
    kernel.kmsg = physMapBase + info.kmsgPhysical
    Arch.setUpInterruptTable()
    // The IKC area is one allocation, at most the largest block (2 MiB): a pair of rings
    // per context and the master channel's. (Counting on 4 MiB, 64 CPUs with
    // time_sharing=8 asked for 3.5 MiB and the boot failed.)
    let ringsInArea = Int(UInt64(FrameAllocator.largestBlockBytes) / UInt64(kernel.ikcRingBytes))
    let (perCPU, fewerContexts) = ContextLayout.perCPU(timeSharing: kernel.options.timeSharing, requested: kernel.options.contextsPerCPU,
                                                       most: BootOptions.mostContexts,
                                                       cpus: info.cpus.count, mostInAll: ringsInArea / 2 - 1)
    contextLayout = ContextLayout(cpus: info.cpus.count, perCPU: perCPU)
    cpuStates = (0..<contextLayout.count).map { CPUState(index: $0) }
    cores = info.cpus.indices.map { CPUCore(index: $0, contexts: contextLayout.contexts(on: $0)) }
    futexWaiters.reserve(contextLayout.count)
    // Beyond the fixed first heap: on the page tables that map all LWK memory.
    setUpSharedFrames(bytes: kernel.frames?.freeBytes ?? 0)
    cpuStates[0].stackTop = Arch.bootStackTop
    guard cpuSetup(0), setUpOtherContexts(0) else { earlyPanic("mcos LWK: no memory for CPU tables\n") }
    timerCountsPer1024Cycles = kernel.interrupts.measureTimer(microseconds: 10_000)
    bootBlock.bootCPUStarted()

    log(0, "IHK/McKernel started.")
    log(0, "mcos LWK (Embedded Swift), image at \(LogLine.hex(lwkBase)), \(kernel.interrupts.description)")
    log(0, "TSC: \(info.tscKHz) kHz, ps_per_tsc: \(1_000_000_000 / max(info.tscKHz, 1))")
    log(0, "KCommand Line: \(info.commandLine)")
    for word in kernel.options.unknown { log(0, "unknown kernel argument: \(word)") }
    for word in kernel.options.invalid { log(0, "invalid kernel argument: \(word)") }
    logPageTableIsolation()
    let perNode = info.bytesPerNode
    for (node, bytes) in perNode.enumerated() where bytes > 0 {
        log(0, "Physical memory: \(LogLine.bytes(bytes)) @ NUMA: \(node)")
    }
    if let frames = kernel.frames {
        for node in 0..<frames.nodes where frames.totalBytes(node: node) > 0 {
            log(0, "NUMA: \(node), free \(LogLine.bytes(frames.freeBytes(node: node))) in \(frames.freeBlocks(node: node)) blocks")
        }
    }
    for (node, row) in info.distances.enumerated() {
        log(0, "NUMA \(node) distances: \(row.map { String($0) }.joined(separator: " "))")
    }
    log(0, "Trampoline area: \(LogLine.hex(info.trampolinePhysical))")
    log(0, "# of cpus : \(info.cpus.count)")
    if perCPU > 1 {
        log(0, "time sharing: \(perCPU) contexts per CPU, \(ContextTurns.sliceNanoseconds / 1000) us turns, APIC timer \(timerCountsPer1024Cycles * cyclesPerMicrosecond >> 10) counts/us")
    }
    if let fewerContexts { log(0, fewerContexts) }
    log(0, "BSP: 0 (HW ID: \(info.cpus[0].apicID) @ NUMA \(info.cpus[0].node))")

    faultOnPurposeAtBoot(0)

    // IKC rings, before the other CPUs (they poll their channel in the idle loop).
    let rings = mcos_ikc_nr_rings(UInt32(contextLayout.count))
    let areaBytes = UInt64(rings) * UInt64(kernel.ikcRingBytes)
    guard let area = allocate(bytes: areaBytes, node: info.cpus[0].node),
          let areaWindow = windowAddress(physical: area) else {
        let largest = UInt64(FrameAllocator.largestBlockBytes)
        log(0, areaBytes > largest
            ? "the IKC rings of \(contextLayout.count) contexts need \(areaBytes >> 10) KiB in one block, more than the largest there is (\(largest >> 10) KiB): give the LWK at most \(largest / UInt64(kernel.ikcRingBytes) / 2 - 1) CPUs"
            : "no memory for the IKC rings")
        panicStop(0)
    }
    kernel.ikc = areaWindow
    for index in 0..<rings { ikcRing(index).format() }

    let booted = startSecondaryCPUs(addressSpace: root)
    log(0, "BSP: booted \(booted) AP CPUs")
    if booted != info.cpus.count - 1 { panicStop(0) }
    bootBlock.setStatus(MCOS_BOOT_STARTED)

    // Publish the IKC area and wait for Linux's acknowledgement on the master channel.
    bootBlock.publishIKC(physical: area, ringBytes: UInt32(kernel.ikcRingBytes), slots: kernel.ikcSlots,
                         contexts: UInt32(contextLayout.count))
    bootBlock.setStatus(MCOS_BOOT_READY)
    while true {
        Arch.disableInterrupts()
        if let packet = ikcRing(MCOS_IKC_MASTER_TO_LWK).receive(), packet.type == MCOS_IKC_MASTER_ACK { break }
        if shutdownRequested() { park(0) }
        Arch.waitForInterrupt()
    }
    log(0, "Master channel init acked.")
    log(0, "IHK/McKernel booted.")
    bootBlock.setStatus(MCOS_BOOT_RUNNING)
    corruptRingHeadersOnPurpose(0)
    idle(0)
}

/// The other CPUs, one at a time through Linux's trampoline (the module keeps it
/// pointed at us until we report STARTED); how many came up.
func startSecondaryCPUs(addressSpace root: UInt64) -> Int {
    let stackBytes = contextStackBytes
    var booted = 0
    for index in kernel.info.cpus.indices.dropFirst() {
        let cpu = kernel.info.cpus[index]
        guard let stack = allocate(bytes: stackBytes, node: cpu.node), let top = windowAddress(physical: stack + stackBytes) else {
            log(0, "no memory for the stack of CPU \(index)")
            continue
        }
        cpuStates[index].stackTop = top
        let target = UInt32(booted + 2)
        Arch.startCPU(index, hardwareID: cpu.apicID, stackTop: top, addressSpace: root, trampoline: kernel.info.trampolinePhysical)
        let deadline = Arch.cycles() &+ 2_000_000 * cyclesPerMicrosecond
        while bootBlock.startedCPUs < target && Arch.cycles() < deadline { Arch.relax() }
        if bootBlock.startedCPUs >= target {
            booted += 1
        } else {
            log(0, "CPU \(index) (HW ID \(cpu.apicID)) did not start")
        }
    }
    return booted
}

@_cdecl("lwk_ap_main")
func apMain(_ index: UInt32) {
    releaseTrampolineLock()
    let cpu = Int(index)
    guard cpuSetup(cpu), setUpOtherContexts(cpu) else {
        log(cpu, "no memory for the tables of CPU \(cpu)")
        panicStop(cpu)
    }
    let entry = kernel.info.cpus[cpu]
    log(cpu, "AP: \(cpu) (HW ID: \(entry.apicID) @ NUMA \(entry.node)) booted, Linux CPU \(entry.linuxCPU)")
    bootBlock.cpuStarted()
    idle(cpu)
}
