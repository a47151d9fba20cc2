import CMcosABI
import Glibc
import Kernel
import Testing
@testable import mcexec

/// System V shared memory: mcexec's own attachment of each segment the program attaches,
/// and what it refuses to name to the module.
@Suite struct SharedSegmentTests {
    @Test func attachShareDetach() throws {
        let id = shmget(IPC_PRIVATE, 10_000, IPC_CREAT | 0o600)
        try #require(id >= 0, "no System V shared memory here")
        defer { shmctl(id, IPC_RMID, nil) }
        let segments = SharedSegments()
        #expect(segments.attach(token: 1, id: UInt64(id), readOnly: false) == 10_000, "the size, unrounded")
        var status = shmid_ds()
        #expect(shmctl(id, IPC_STAT, &status) == 0 && status.shm_nattch == 1, "Linux counts the program's attachment")
        #expect(segments.attach(token: 2, id: UInt64(id), readOnly: true) == 10_000)
        // Outside the attachment (3 pages) nothing is named, whatever mcexec has next to it;
        // an unknown token is no attachment. (-1: not a /dev/mcosN file; the checks come first.)
        #expect(segments.share(token: 1, bytes: 4 * 4096, offset: 0, writable: true, device: -1) == -Errno.inval)
        #expect(segments.share(token: 1, bytes: 4096, offset: 3 * 4096, writable: true, device: -1) == -Errno.inval)
        #expect(segments.share(token: 1, bytes: 4096, offset: 100, writable: true, device: -1) == -Errno.inval)
        #expect(segments.share(token: 9, bytes: 4096, offset: 0, writable: true, device: -1) == -Errno.inval)
        #expect(segments.share(token: 1, bytes: 3 * 4096, offset: 0, writable: true, device: -1) == -Errno.badf, "checked, then the module asked")
        #expect(segments.detach(token: 1) == 0)
        #expect(segments.detach(token: 1) == -Errno.inval, "detached already")
        segments.detachAll()
        #expect(shmctl(id, IPC_STAT, &status) == 0 && status.shm_nattch == 0, "exec detaches every one")
    }

    @Test func shmatsErrorsAreLinuxs() {
        let segments = SharedSegments()
        #expect(segments.attach(token: 1, id: UInt64(bitPattern: -1), readOnly: false) == -Errno.inval)
        #expect(segments.attach(token: 0, id: 0, readOnly: false) == -Errno.inval, "token 0 is never one")
        #expect(segments.answer(number: MCOS_PROXY_SHM_DETACH, arguments: [5, 0, 0, 0, 0, 0], device: -1) == -Errno.inval)
        #expect(segments.answer(number: MCOS_PROXY_FILE_SHARE, arguments: [0, 0, 0, 0, 0, 0], device: -1) == nil)
    }
}
