import CMcosABI
import Foundation
import Kernel

/// The LWK's requests for an mmap of a file (MCOS_PROXY_FILE_*): what the program's
/// descriptor is, the file's bytes read into the range the LWK mapped for them, and a
/// file's shared pages handed to the module for the LWK.
/// Everything in a request is checked as if the program had written it, and mcexec
/// writes nowhere but the range asked for, inside the program's user range.
enum FileMapRequests {
    /// O_PATH and ST_NOEXEC of x86-64 Linux, which Glibc declares only under _GNU_SOURCE.
    static let openPath: Int32 = 0o10_000_000, noExecMount: UInt = 8

    /// The answer to request `number`, or nil when it is none of these (a program's call).
    static func answer(number: UInt32, arguments: [UInt64], device: Int32, ownDescriptors: Set<Int32>) -> Int64? {
        switch number {
        case MCOS_PROXY_FILE_FACTS:
            return facts(descriptor: arguments[0], ownDescriptors: ownDescriptors)
        case MCOS_PROXY_FILE_FILL:
            return fill(descriptor: arguments[0], start: arguments[1], bytes: arguments[2], offset: arguments[3], ownDescriptors: ownDescriptors)
        case MCOS_PROXY_FILE_SHARE:
            return share(descriptor: arguments[0], bytes: arguments[1], offset: arguments[2], writable: arguments[3] == 1,
                         device: device, ownDescriptors: ownDescriptors)
        default:
            return nil
        }
    }

    /// The program's descriptor as Linux reads mmap's (an unsigned int), or nil for one
    /// that cannot be the program's: out of range, or one of mcexec's own.
    static func programDescriptor(_ argument: UInt64, ownDescriptors: Set<Int32>) -> Int32? {
        let fd = UInt32(truncatingIfNeeded: argument)
        guard fd <= UInt32(Int32.max), !ownDescriptors.contains(Int32(fd)) else { return nil }
        return Int32(fd)
    }

    static func facts(descriptor: UInt64, ownDescriptors: Set<Int32>) -> Int64 {
        guard let fd = programDescriptor(descriptor, ownDescriptors: ownDescriptors) else { return -Errno.badf }
        let flags = fcntl(fd, F_GETFL)
        // O_PATH descriptors are no files to mmap: fget() fails on them with EBADF.
        guard flags >= 0, flags & Self.openPath == 0 else { return -Errno.badf }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return -Int64(errno) }
        var fileSystem = statvfs()
        let noExec = fstatvfs(fd, &fileSystem) == 0 && fileSystem.f_flag & Self.noExecMount != 0
        let access = flags & O_ACCMODE
        return FileMapCheck.Facts(fileType: UInt32(status.st_mode >> 12) & MCOS_FILE_FACT_TYPE_MASK,
                                  readable: access == O_RDONLY || access == O_RDWR,
                                  writable: access == O_WRONLY || access == O_RDWR, noExec: noExec).answer
    }

    /// The checks `fill` makes of its range: page-aligned, inside the user range, not empty.
    static func fillRangeIsValid(start: UInt64, bytes: UInt64) -> Bool {
        let userStart = UInt64(MCOS_USER_START), userEnd = UInt64(MCOS_USER_END)
        return start % 4096 == 0 && bytes % 4096 == 0 && bytes > 0 && start >= userStart && start <= userEnd && bytes <= userEnd - start
    }

    /// Reads up to `bytes` of the file from `offset` into [start, start + bytes) of the
    /// program's memory; the bytes read (fewer at the end of the file, even one that
    /// shrank meanwhile), or -errno. The pages are the LWK's: a page it has not mapped
    /// makes pread fail with EFAULT, never a fault in mcexec.
    static func fill(descriptor: UInt64, start: UInt64, bytes: UInt64, offset: UInt64, ownDescriptors: Set<Int32>) -> Int64 {
        guard let fd = programDescriptor(descriptor, ownDescriptors: ownDescriptors) else { return -Errno.badf }
        guard fillRangeIsValid(start: start, bytes: bytes), offset <= UInt64(Int64.max) else { return -Errno.inval }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return -Int64(errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { return -Errno.noDev }
        var done: UInt64 = 0
        while done < bytes {
            let (position, overflow) = offset.addingReportingOverflow(done)
            guard !overflow, position <= UInt64(Int64.max) else { break }
            let count = pread(fd, UnsafeMutableRawPointer(bitPattern: UInt(start + done)), Int(min(bytes - done, 1 << 30)), off_t(position))
            if count < 0 {
                if errno == EINTR { continue }
                return -Int64(errno)
            }
            if count == 0 { break }  // the end of the file
            done += UInt64(count)
        }
        return Int64(done)
    }

    /// Maps `bytes` of the file from `offset` shared, here, readable (and writable), and
    /// hands those pages to the module for the LWK (MCOS_IOC_PROC_PIN), which pins them
    /// and tells the LWK their frames; the mapping here goes again at once. The frames
    /// pinned (fewer at the end of the file), or -errno.
    static func share(descriptor: UInt64, bytes: UInt64, offset: UInt64, writable: Bool, device: Int32, ownDescriptors: Set<Int32>) -> Int64 {
        guard let fd = programDescriptor(descriptor, ownDescriptors: ownDescriptors) else { return -Errno.badf }
        guard bytes > 0, bytes % 4096 == 0, bytes <= UInt64(MCOS_PIN_LIST_FRAMES) * 4096,
              offset % 4096 == 0, offset <= UInt64(Int64.max) else { return -Errno.inval }
        let protection = PROT_READ | (writable ? PROT_WRITE : 0)
        guard let address = mmap(nil, Int(bytes), protection, MAP_SHARED, fd, off_t(offset)), address != MAP_FAILED else {
            return -Int64(errno)
        }
        defer { munmap(address, Int(bytes)) }
        var pin = mcos_proc_pin(size: UInt32(MemoryLayout<mcos_proc_pin>.size), reserved0: 0, address: UInt64(UInt(bitPattern: address)))
        return Int64(deviceControl(device, mcos_ioc_proc_pin, &pin))
    }
}
