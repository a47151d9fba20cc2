/// What entered one CPU's kernel, counted since the CPU booted: interrupts by kind,
/// exceptions, system calls. A process's share is the difference between the counts at
/// its end and at its start; it is what an LWK promises to keep near zero (no tick, no
/// device interrupts: the program's own system calls, the IKC interrupts their answers
/// bring, and nothing else). Host jitter cannot fake these numbers, unlike a timed
/// noise probe in a guest.
///
/// Each CPU updates only its own counts, with interrupts off, so no lock or atomic is
/// needed; all arithmetic wraps (a counter that ran for centuries must not trap).
public struct EntryCounts: Equatable {
    /// The IKC interrupt (MCOS_IKC_VECTOR): Linux telling the CPU a packet came.
    public var ikcInterrupts: UInt64 = 0
    /// A timer interrupt: the local APIC timer's vector, armed only for a timeout or
    /// while two contexts of a CPU are at work (time_sharing), or Linux's timer vector
    /// sent as an IPI (a tick broadcast).
    public var timerInterrupts: UInt64 = 0
    /// Every other interrupt: stray IPIs, spurious interrupts, NMIs.
    public var otherInterrupts: UInt64 = 0
    public var pageFaults: UInt64 = 0
    /// Every other exception (divide error, #GP, #UD, ...).
    public var otherExceptions: UInt64 = 0
    /// System calls the LWK answered itself.
    public var localSystemCalls: UInt64 = 0
    /// System calls sent to the proxy on Linux.
    public var offloadedSystemCalls: UInt64 = 0

    public init() {}

    /// What entered the kernel; the architecture's trap entry sorts its vectors into
    /// these (Arch/<arch>/Logic).
    public enum Entry: Equatable {
        case ikcInterrupt, timerInterrupt, otherInterrupt, pageFault, otherException
    }

    public mutating func count(_ entry: Entry) {
        switch entry {
        case .ikcInterrupt: ikcInterrupts &+= 1
        case .timerInterrupt: timerInterrupts &+= 1
        case .otherInterrupt: otherInterrupts &+= 1
        case .pageFault: pageFaults &+= 1
        case .otherException: otherExceptions &+= 1
        }
    }

    public mutating func countSystemCall(offloaded: Bool) {
        if offloaded { offloadedSystemCalls &+= 1 } else { localSystemCalls &+= 1 }
    }

    /// What entered between `earlier` and these counts.
    public func since(_ earlier: EntryCounts) -> EntryCounts {
        var difference = EntryCounts()
        difference.ikcInterrupts = ikcInterrupts &- earlier.ikcInterrupts
        difference.timerInterrupts = timerInterrupts &- earlier.timerInterrupts
        difference.otherInterrupts = otherInterrupts &- earlier.otherInterrupts
        difference.pageFaults = pageFaults &- earlier.pageFaults
        difference.otherExceptions = otherExceptions &- earlier.otherExceptions
        difference.localSystemCalls = localSystemCalls &- earlier.localSystemCalls
        difference.offloadedSystemCalls = offloadedSystemCalls &- earlier.offloadedSystemCalls
        return difference
    }

    /// "0 timer, 3 IKC, 0 other interrupts, 0 page faults, 0 other exceptions, 40 local
    /// and 7 offloaded system calls", for the log line at a process's end.
    public var summary: String {
        "\(timerInterrupts) timer, \(ikcInterrupts) IKC, \(otherInterrupts) other interrupts, "
            + "\(pageFaults) page faults, \(otherExceptions) other exceptions, "
            + "\(localSystemCalls) local and \(offloadedSystemCalls) offloaded system calls"
    }
}

extension Syscall.Route {
    /// Whether the call goes to Linux: an offloaded system call for EntryCounts; the LWK
    /// answers every other one itself (x32 calls with ENOSYS).
    public var isOffloaded: Bool {
        if case .offloaded = self { return true }
        return false
    }
}
