// Byte runs of a process's memory, as signal frames need them (a few KiB at most,
// copied a page at a time through the window, with the same checks as UserMemory's
// words: what the program itself could read or write).

extension Process: UserMemoryReader {
    /// `count` bytes at `address`; nil (EFAULT) if any is unreadable by the program.
    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard count >= 0, address &+ UInt64(count) >= address else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let at = address + UInt64(done)
            guard let window = userWindow(at, write: false) else { return nil }
            let run = min(count - done, Int(4096 - at & 4095))
            let source = lwk_ptr(window)!
            for index in 0..<run { bytes[done + index] = lwk_load8(source + index) }
            done += run
        }
        return bytes
    }

    /// Writes `bytes` at `address` if every byte is writable by the program (checked
    /// first, so a frame is never half written); false (EFAULT) otherwise.
    func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        let count = bytes.count
        guard address &+ UInt64(count) >= address else { return false }
        var page = address & ~4095
        while page < address + UInt64(count) {
            guard userWindow(max(page, address), write: true) != nil else { return false }
            page += 4096
        }
        var done = 0
        while done < count {
            let at = address + UInt64(done)
            guard let window = userWindow(at, write: true) else { return false }
            let run = min(count - done, Int(4096 - at & 4095))
            let target = lwk_ptr(window)!
            for index in 0..<run { lwk_store8(target + index, bytes[done + index]) }
            done += run
        }
        return true
    }
}
