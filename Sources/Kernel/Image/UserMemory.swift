import CMcosABI

// The kernel's reads and writes of a process's memory. SMAP is on (Linux's CR4) and
// user addresses mean nothing in kernel mode anyway: every access walks the process's
// page table and goes through the window to the frame, checking what the program
// itself could do (present + user to read, writable to write).

extension Process {
    /// The window address of user byte `virtual`, if the program could access it so.
    func userWindow(_ virtual: UInt64, write: Bool) -> UInt64? {
        guard virtual >= MCOS_USER_START, virtual < MCOS_USER_END,
              let frame = PageTables.userFrame(virtual, root: root, memory: tables),
              !write || frame.writable else { return nil }
        return windowAddress(physical: frame.physical)
    }

    /// Writes `words` (little-endian, as the program's structs hold them) at `address`;
    /// false (EFAULT) if any byte is not writable by the program. Partial on failure,
    /// as on Linux.
    func copyOut(_ address: UInt64, _ words: [UInt64]) -> Bool {
        for (index, word) in words.enumerated() {
            let at = address &+ UInt64(index * 8)
            guard at >= address else { return false }
            if at & 4095 <= 4088 {
                guard let window = userWindow(at, write: true) else { return false }
                lwk_store64(lwk_ptr(window), word)
                continue
            }
            for byte in 0..<UInt64(8) {  // across a page boundary
                guard let window = userWindow(at &+ byte, write: true) else { return false }
                lwk_store8(lwk_ptr(window), UInt8(truncatingIfNeeded: word >> (byte * 8)))
            }
        }
        return true
    }

    /// Reads `count` 64-bit words at `address`; nil (EFAULT) if any byte is unreadable.
    func copyIn(_ address: UInt64, count: Int) -> [UInt64]? {
        var words: [UInt64] = []
        for index in 0..<count {
            let at = address &+ UInt64(index * 8)
            guard at >= address else { return nil }
            if at & 4095 <= 4088 {
                guard let window = userWindow(at, write: false) else { return nil }
                words.append(lwk_load64(lwk_ptr(window)))
                continue
            }
            var word: UInt64 = 0
            for byte in 0..<UInt64(8) {
                guard let window = userWindow(at &+ byte, write: false) else { return nil }
                word |= UInt64(lwk_load8(lwk_ptr(window))) << (byte * 8)
            }
            words.append(word)
        }
        return words
    }
}
