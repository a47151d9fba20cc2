import CMcosABI

// The kernel's reads and writes of a process's memory. SMAP is on (Linux's CR4) and
// user addresses mean nothing in kernel mode anyway: every access walks the process's
// page table and goes through the window to the frame (a Linux frame through this CPU's
// slot for one, LinuxFrames.swift), checking what the program itself could do (present
// + user to read, writable to write). Nothing here allocates: a hostile pointer costs a
// table walk and an EFAULT, nothing more. An address given out is used at once, before
// the next: the slot holds one frame.

extension Process {
    /// The window address of user byte `virtual`, if the program could access it so.
    func userWindow(_ virtual: UInt64, write: Bool) -> UInt64? {
        guard virtual >= MCOS_USER_START, virtual < MCOS_USER_END,
              let frame = PageTables.userFrame(virtual, root: root, memory: tables),
              !write || frame.writable else { return nil }
        return frame.linux ? linuxFrameWindow(frame.physical) : windowAddress(physical: frame.physical)
    }

    /// The 64-bit word at `address` (little-endian, as the program's structs hold it);
    /// nil (EFAULT) if any of its bytes is unreadable.
    func readWord(_ address: UInt64) -> UInt64? {
        if address & 4095 <= 4088 {
            guard let window = userWindow(address, write: false) else { return nil }
            return lwk_load64(lwk_ptr(window))
        }
        var word: UInt64 = 0
        for byte in 0..<UInt64(8) {  // across a page boundary
            guard address &+ byte >= address, let window = userWindow(address &+ byte, write: false) else { return nil }
            word |= UInt64(lwk_load8(lwk_ptr(window))) << (byte * 8)
        }
        return word
    }

    /// Writes `word` at `address`; false (EFAULT) if any byte is not writable by the
    /// program, with the bytes before it written, as Linux leaves them.
    func writeWord(_ address: UInt64, _ word: UInt64) -> Bool {
        if address & 4095 <= 4088 {
            guard let window = userWindow(address, write: true) else { return false }
            lwk_store64(lwk_ptr(window), word)
            return true
        }
        for byte in 0..<UInt64(8) {
            guard address &+ byte >= address, let window = userWindow(address &+ byte, write: true) else { return false }
            lwk_store8(lwk_ptr(window), UInt8(truncatingIfNeeded: word >> (byte * 8)))
        }
        return true
    }

    /// Writes two words (a timespec, a timeval) at `address`.
    func writeWords(_ address: UInt64, _ first: UInt64, _ second: UInt64) -> Bool {
        writeWord(address, first) && address &+ 8 > address && writeWord(address &+ 8, second)
    }
}
