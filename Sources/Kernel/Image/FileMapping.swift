import CMcosABI

// mmap of a file, MAP_PRIVATE: the file lives in Linux's page cache, so the LWK maps
// zeroed frames of its own and asks its proxy to read the file's bytes into them once,
// now (MCOS_PROXY_FILE_FILL): no page of it is ever faulted in later, so the program's
// compute phase sees no paging. Past the end of the file the pages stay zero (Linux
// would send SIGBUS for whole pages past it; the LWK gives zeros instead). A write stays
// the process's: the frames are its own, the file never sees them.

/// Asks the proxy something it answers itself (MCOS_PROXY_*), the way an offloaded call
/// travels (a KILL meanwhile ends the process as it ends an offloaded call); the proxy
/// retries its own reads on EINTR, so a signal never cuts these short.
func askProxy(_ p: Process, _ number: UInt32, _ arguments: SyscallArguments) -> Int64 {
    offload(p, number: UInt64(number), arguments: arguments, kernelCall: true)
}

/// What the proxy knows of descriptor `fd` (as Linux reads it: an unsigned int), or
/// EBADF; asked before any other of mmap's checks but the offset's, as Linux does.
func fileFacts(_ p: Process, fd: UInt64) throws(Errno) -> FileMapCheck.Facts {
    try FileMapCheck.Facts(answer: askProxy(p, MCOS_PROXY_FILE_FACTS, (UInt64(UInt32(truncatingIfNeeded: fd)), 0, 0, 0, 0, 0)))
}

/// Linux's own checks of the file mapping after placement; what Linux would map and the
/// LWK does not gets its errno and one log line per process.
func checkFileMapping(_ p: Process, _ facts: FileMapCheck.Facts, flags: UInt64, protection: UInt32, offset: UInt64, bytes: UInt64) -> Errno? {
    do throws(FileMapCheck.Refusal) {
        try FileMapCheck.check(facts, flags: flags, protection: protection, offset: offset, bytes: bytes)
        return nil
    } catch {
        if case .unsupported(_, let why) = error, !p.toldFileMapping {
            p.toldFileMapping = true
            log(p.cpu, "process \(p.pid): mmap of a file: \(why): ENODEV")
        }
        return error.errno
    }
}

/// Maps [start, end) (free by now) with the file's bytes from `offset`, then `protection`.
/// All or nothing: on any failure the range is unmapped again.
func mapFile(_ p: Process, start: UInt64, end: UInt64, protection: UInt32, fd: UInt64, offset: UInt64) -> Int64 {
    // Writable for the proxy until filled, whatever the program asked.
    guard p.mapAnonymous(start: start, end: end, protection: protection, loading: true) else { return -Errno.noMem }
    let read = askProxy(p, MCOS_PROXY_FILE_FILL, (UInt64(UInt32(truncatingIfNeeded: fd)), start, end - start, offset, 0, 0))
    guard read >= 0, UInt64(read) <= end - start else {
        _ = p.unmap(start: start, end: end)
        return read < 0 && read >= -Errno.maximum ? read : -Errno.io
    }
    // The program's protection, and the proxy's writable mappings of the range dropped.
    p.setPageFlags(start: start, end: end, protection: protection)
    p.invalidate(start: start, end: end)
    return Int64(start)
}
