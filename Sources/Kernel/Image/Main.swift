import CMcosABI

// The LWK: what its CPUs do from the moment entry.S hands them over.
// BSP: boot block → frame allocators → own page tables → GDT/IDT/LAPIC → kmsg →
// IKC rings → its other CPUs → READY → master ack → RUNNING → idle.
// Every CPU: idle in `hlt` until an IPI, answer IKC packets, park on shutdown.

struct Kernel {
    var block: UInt64 = 0  // boot block, window address
    var info = BootInfo()
    var options = BootOptions()
    var allocators: [FrameAllocator] = []
    var cr3: UInt64 = 0
    var apic = LocalAPIC()
    var kmsg: UInt64 = 0  // kmsg ring through the physical map, 0 until mapped
    var ikc: UInt64 = 0  // IKC area, window address
    var ikcRingBytes = 4096
    var ikcSlots: UInt32 = 63
}

nonisolated(unsafe) var kernel = Kernel()
nonisolated(unsafe) var kmsgLock: UInt32 = 0

func windowAddress(physical: UInt64) -> UInt64? {
    kernel.info.windowOffset(physical: physical).map { lwkBase + $0 }
}

/// The fields of the boot block the module and the LWK share while it runs.
var bootBlock: LiveBootBlock<RawShared> { LiveBootBlock(memory: RawShared(kernel.block)) }

/// A kmsg line in McKernel's shape, to the kmsg ring (once mapped) and COM2.
func log(_ cpu: Int, _ message: String) {
    let line = LogLine.format(cpu: cpu, message)
    lwk_spin_lock(&kmsgLock)
    if kernel.kmsg != 0 { KmsgRing(memory: RawShared(kernel.kmsg)).write(line) }
    for byte in line.utf8 { lwk_com2_putc(byte) }
    lwk_spin_unlock(&kmsgLock)
}

/// Page-table memory seen through the window (tables are in our own chunks).
struct WindowTables: TableMemory {
    mutating func allocateTable() -> UInt64? {
        for index in kernel.allocators.indices {
            if let page = kernel.allocators[index].allocate(bytes: 4096) {
                memset(lwk_ptr(windowAddress(physical: page)!), 0, 4096)
                return page
            }
        }
        return nil
    }
    func read(_ physical: UInt64) -> UInt64 { lwk_load64(lwk_ptr(windowAddress(physical: physical)!)) }
    mutating func write(_ physical: UInt64, _ value: UInt64) {
        lwk_store_release64(lwk_ptr(windowAddress(physical: physical)!), value)
    }
}

/// Our own page tables: the window over the chunk list (2 MiB pages where the chunks
/// allow), and in the physical map the kmsg ring, the LAPIC (uncached) and Linux's
/// trampoline lock word.
func buildPageTables() -> UInt64? {
    var memory = WindowTables()
    let layout = PageTables.layout(virtualBase: lwkBase, chunks: kernel.info.chunks.map { ($0.physical, $0.bytes) })
    guard let root = PageTables.build(layout, flags: PageTables.writable | PageTables.global, into: &memory) else { return nil }
    func mapPhysical(_ physical: UInt64, _ bytes: UInt64, uncached: Bool) -> Bool {
        var page = physical & ~4095
        while page < physical + bytes {
            let flags = PageTables.writable | PageTables.noExecute | (uncached ? (1 << 3) | (1 << 4) : 0)
            guard PageTables.map(virtual: physMapBase + page, physical: page, large: false, flags: flags, root: root, memory: &memory) else { return false }
            page += 4096
        }
        return true
    }
    guard mapPhysical(kernel.info.kmsgPhysical, UInt64(MCOS_KMSG_SIZE), uncached: false),
          mapPhysical(kernel.apic.mmio, 4096, uncached: true) else { return nil }
    if kernel.info.trampolineLockPhysical != 0, !mapPhysical(kernel.info.trampolineLockPhysical, 4, uncached: false) { return nil }
    return root
}

/// Linux's trampoline takes a lock (6.5+) that only its own AP start-up would release.
func releaseTrampolineLock() {
    if kernel.info.trampolineLockPhysical != 0 {
        lwk_store32(lwk_ptr(physMapBase + kernel.info.trampolineLockPhysical), 0)
    }
}

/// Ring `index` of the IKC area (mcos_abi.h names where each one sits).
func ikcRing(_ index: UInt32) -> IKCRing<RawShared> {
    IKCRing(memory: RawShared(kernel.ikc + UInt64(index) * UInt64(kernel.ikcRingBytes)))
}

func panicStop(_ cpu: Int) -> Never {
    bootBlock.recordPanic(cpu: cpu)
    bootBlock.setStatus(MCOS_BOOT_PANIC)
    lwk_halt_forever()
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
        lwk_com2_write("mcos LWK: bad boot block\n", 25)
        panicStop(0)
    }
    kernel.info = info
    kernel.info.freeOffset += 1 << 20
    if info.tscKHz >= 1000 { tscPerMicrosecond = info.tscKHz / 1000 }
    for range in kernel.info.freeRanges() {
        while kernel.allocators.count <= range.node { kernel.allocators.append(FrameAllocator(node: kernel.allocators.count)) }
        kernel.allocators[range.node].add(start: range.start, bytes: range.bytes)
    }
    kernel.apic = LocalAPIC.probe()
    guard let root = buildPageTables() else {
        lwk_com2_write("mcos LWK: no memory for page tables\n", 36)
        panicStop(0)
    }
    lwk_write_cr3(root)
    kernel.cr3 = root
    releaseTrampolineLock()
    kernel.kmsg = physMapBase + info.kmsgPhysical
    lwk_idt_fill()
    cpuStates = info.cpus.indices.map { CPUState(index: $0) }
    cpuStates[0].stackTop = lwk_boot_stack_top_address()
    guard cpuSetup(0) else {
        lwk_com2_write("mcos LWK: no memory for CPU tables\n", 35)
        panicStop(0)
    }
    bootBlock.bootCPUStarted()

    kernel.options = BootOptions(parsing: info.commandLine)
    log(0, "IHK/McKernel started.")
    log(0, "mcos LWK (Embedded Swift), image at \(LogLine.hex(lwkBase)), \(kernel.apic.x2apic ? "x2APIC" : "xAPIC") \(LogLine.hex(kernel.apic.mmio))")
    log(0, "TSC: \(info.tscKHz) kHz, ps_per_tsc: \(1_000_000_000 / max(info.tscKHz, 1))")
    log(0, "KCommand Line: \(info.commandLine)")
    for word in kernel.options.unknown { log(0, "unknown kernel argument: \(word)") }
    for word in kernel.options.invalid { log(0, "invalid kernel argument: \(word)") }
    let perNode = info.bytesPerNode
    for (node, bytes) in perNode.enumerated() where bytes > 0 {
        log(0, "Physical memory: \(LogLine.bytes(bytes)) @ NUMA: \(node)")
    }
    for allocator in kernel.allocators where allocator.totalBytes > 0 {
        log(0, "NUMA: \(allocator.node), free \(LogLine.bytes(allocator.freeBytes)) in \(allocator.free.count) ranges")
    }
    for (node, row) in info.distances.enumerated() {
        log(0, "NUMA \(node) distances: \(row.map { String($0) }.joined(separator: " "))")
    }
    log(0, "Trampoline area: \(LogLine.hex(info.trampolinePhysical))")
    log(0, "# of cpus : \(info.cpus.count)")
    log(0, "BSP: 0 (HW ID: \(info.cpus[0].apicID) @ NUMA \(info.cpus[0].node))")

    if kernel.options.testFault == .pageFault { faultOnPurpose(0, "test_fault=page") }

    // IKC rings, before the other CPUs (they poll their channel in the idle loop).
    let rings = mcos_ikc_nr_rings(UInt32(info.cpus.count))
    guard let area = allocate(bytes: UInt64(rings) * UInt64(kernel.ikcRingBytes), node: info.cpus[0].node),
          let areaWindow = windowAddress(physical: area) else {
        log(0, "no memory for the IKC rings")
        panicStop(0)
    }
    kernel.ikc = areaWindow
    for index in 0..<rings { ikcRing(index).format(slots: kernel.ikcSlots) }

    // The other CPUs, through Linux's trampoline (the module keeps it pointed at us
    // until we report STARTED).
    lwk_ap_cr3 = root
    var booted = 0
    for index in 1..<max(info.cpus.count, 1) {
        guard let stack = allocate(bytes: 16384, node: info.cpus[index].node), let top = windowAddress(physical: stack + 16384) else {
            log(0, "no memory for the stack of CPU \(index)")
            continue
        }
        lwk_ap_stack = top
        cpuStates[index].stackTop = top
        lwk_ap_index = UInt32(index)
        let target = UInt32(booted + 2)
        let apicID = info.cpus[index].apicID
        kernel.apic.sendIPI(apicID: apicID, low: 0xc500)  // INIT assert
        delay(microseconds: 10_000)
        kernel.apic.sendIPI(apicID: apicID, low: 0x8500)  // INIT de-assert
        for _ in 0..<2 {
            kernel.apic.sendIPI(apicID: apicID, low: 0x600 | UInt32(info.trampolinePhysical >> 12))
            delay(microseconds: 300)
        }
        let deadline = lwk_rdtsc() &+ 2_000_000 * tscPerMicrosecond
        while bootBlock.startedCPUs < target && lwk_rdtsc() < deadline { lwk_pause() }
        if bootBlock.startedCPUs >= target {
            booted += 1
        } else {
            log(0, "CPU \(index) (HW ID \(apicID)) did not start")
        }
    }
    log(0, "BSP: booted \(booted) AP CPUs")
    if booted != info.cpus.count - 1 { panicStop(0) }
    bootBlock.setStatus(MCOS_BOOT_STARTED)

    // Publish the IKC area and wait for Linux's acknowledgement on the master channel.
    bootBlock.publishIKC(physical: area, ringBytes: UInt32(kernel.ikcRingBytes), slots: kernel.ikcSlots)
    bootBlock.setStatus(MCOS_BOOT_READY)
    while true {
        lwk_cli()
        if let packet = ikcRing(MCOS_IKC_MASTER_TO_LWK).receive(), packet.type == MCOS_IKC_MASTER_ACK { break }
        if shutdownRequested() { park(0) }
        lwk_sti_hlt()
    }
    log(0, "Master channel init acked.")
    log(0, "IHK/McKernel booted.")
    bootBlock.setStatus(MCOS_BOOT_RUNNING)
    idle(0)
}

@_cdecl("lwk_ap_main")
func apMain(_ index: UInt32) {
    releaseTrampolineLock()
    let cpu = Int(index)
    guard cpuSetup(cpu) else {
        log(cpu, "no memory for the tables of CPU \(cpu)")
        panicStop(cpu)
    }
    let entry = kernel.info.cpus[cpu]
    log(cpu, "AP: \(cpu) (HW ID: \(entry.apicID) @ NUMA \(entry.node)) booted, Linux CPU \(entry.linuxCPU)")
    bootBlock.cpuStarted()
    idle(cpu)
}

/// Sleep in `hlt` until an interrupt; answer what arrived on this CPU's channel:
/// PING, and the requests that create, fill and start a process (START enters user
/// mode and does not come back here; the process's end does, on a fresh stack).
func idle(_ cpu: Int) -> Never {
    let inbound = inboundRing(cpu)
    while true {
        lwk_cli()
        if shutdownRequested() { park(cpu) }
        reportStrayInterrupts(cpu)
        if let packet = inbound.receive() {
            switch packet.type {
            case MCOS_IKC_PING: answerPing(cpu, packet)
            case MCOS_IKC_PROC_CREATE, MCOS_IKC_PROC_MAP, MCOS_IKC_PROC_START, MCOS_IKC_PROC_KILL:
                serveProcessRequest(cpu, packet)
            default: break  // a late SYSCALL_REPLY or INVALIDATE_ACK: nobody waits for it
            }
            continue
        }
        lwk_sti_hlt()
    }
}

nonisolated(unsafe) var strayInterrupts: UInt32 = 0
nonisolated(unsafe) var lastStrayVector: UInt32 = 0
nonisolated(unsafe) var reportedStrayInterrupts: UInt32 = 0

/// Logged from the idle loop, never from the handler (log takes the kmsg lock).
func reportStrayInterrupts(_ cpu: Int) {
    let count = lwk_load32(&strayInterrupts)
    guard count != lwk_load32(&reportedStrayInterrupts) else { return }
    lwk_store32(&reportedStrayInterrupts, count)
    log(cpu, "ignored \(count) interrupt(s) the LWK did not ask for, last vector \(LogLine.hex(UInt64(lwk_load32(&lastStrayVector)), digits: 2))")
}

/// Shutdown: quiet the APIC and halt with interrupts off; Linux sends INIT next.
func park(_ cpu: Int) -> Never {
    kernel.apic.quiesce()
    bootBlock.cpuParked()
    lwk_halt_forever()
}

@_cdecl("lwk_trap")
func trap(_ frame: UnsafeMutablePointer<lwk_frame>) {
    let vector = frame.pointee.vector
    let fromUser = frame.pointee.cs & 3 == 3
    if vector == UInt64(MCOS_IKC_VECTOR) {
        kernel.apic.eoi()
        if fromUser { userInterrupted(currentCPU()) }
        return
    }
    if vector == 0xff || vector == 2 && fromUser { return }
    if vector >= 32 {
        // Not ours (see lwk_stray_stubs): acknowledge, count, and let idle report it.
        kernel.apic.eoi()
        _ = lwk_add32(&strayInterrupts, 1)
        lwk_store32(&lastStrayVector, UInt32(vector))
        return
    }
    if fromUser { userException(frame) }
    // An exception: dump, PANIC, stop this CPU.
    let cpu = currentCPU()
    let f = frame.pointee
    let names: [String] = ["#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF?", "#TS", "#NP", "#SS", "#GP", "#PF"]
    let name = vector < UInt64(names.count) ? names[Int(vector)] : "vector \(vector)"
    log(cpu, "PANIC: exception \(name) (\(vector)) error \(LogLine.hex(f.error, digits: 4)) at RIP \(LogLine.hex(f.rip))")
    if vector == 14 { log(cpu, "page fault at address \(LogLine.hex(lwk_read_cr2()))") }
    log(cpu, "RAX \(LogLine.hex(f.rax)) RBX \(LogLine.hex(f.rbx)) RCX \(LogLine.hex(f.rcx)) RDX \(LogLine.hex(f.rdx))")
    log(cpu, "RSI \(LogLine.hex(f.rsi)) RDI \(LogLine.hex(f.rdi)) RBP \(LogLine.hex(f.rbp)) RSP \(LogLine.hex(f.rsp))")
    log(cpu, "R8  \(LogLine.hex(f.r8)) R9  \(LogLine.hex(f.r9)) R10 \(LogLine.hex(f.r10)) R11 \(LogLine.hex(f.r11))")
    log(cpu, "R12 \(LogLine.hex(f.r12)) R13 \(LogLine.hex(f.r13)) R14 \(LogLine.hex(f.r14)) R15 \(LogLine.hex(f.r15))")
    log(cpu, "CS \(LogLine.hex(f.cs, digits: 4)) RFLAGS \(LogLine.hex(f.rflags, digits: 8)) CR3 \(LogLine.hex(lwk_read_cr3()))")
    panicStop(cpu)
}

/// test_fault=: a kernel-mode page fault, so the PANIC path runs for real.
func faultOnPurpose(_ cpu: Int, _ why: String) {
    log(cpu, "\(why): reading an unmapped address")
    let bad = UnsafePointer<UInt64>(bitPattern: UInt(lwkBase - 0x1000))!
    log(cpu, "read \(bad.pointee)")
}

func currentCPU() -> Int {
    let id = kernel.apic.id
    return kernel.info.cpus.firstIndex { $0.apicID == id } ?? -1
}

/// The IKC IPI arrived while the CPU ran user code (in kernel mode the waiting code
/// reads the ring itself): serve the channel, end the process on KILL, park on
/// shutdown.
func userInterrupted(_ cpu: Int) {
    guard let process = cpuStates[cpu].process else {
        if shutdownRequested() { park(cpu) }
        return
    }
    serveBeforeUserMode(process)
}

/// An exception in user mode ends the process with the signal Linux would send, and
/// Linux's kernel-log line for it.
func userException(_ frame: UnsafeMutablePointer<lwk_frame>) -> Never {
    let cpu = currentCPU()
    let f = frame.pointee
    guard cpu >= 0, let process = cpuStates[cpu].process else { panicStop(cpu) }
    let signal = ProcessEnd.signal(vector: f.vector) ?? Signal.segv
    let address = ProcessEnd.faultAddress(vector: f.vector, cr2: lwk_read_cr2(), rip: f.rip)
    log(cpu, ProcessEnd.faultMessage(name: String(process.pid), pid: process.pid, vector: f.vector,
                                     address: address, rip: f.rip, rsp: f.rsp, error: f.error))
    endProcess(process, status: ProcessEnd.signalStatus(signal), faultAddress: address, faultIP: f.rip)
}
