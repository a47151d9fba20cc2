import Glibc
import Kernel
import Testing
@testable import mcexec

/// MCOS_PROXY_CMA_ALLOWED answered by Linux's own access check, for real.
@Suite struct CrossMemoryCheckTests {
    @Test func aProcessMayReachItself() {
        #expect(CrossMemoryCheck.allowed(pid: UInt64(getpid()), writing: false) == 0)
        #expect(CrossMemoryCheck.allowed(pid: UInt64(getpid()), writing: true) == 0)
    }

    @Test func aChildOfTheSameUserMayBeReached() throws {
        let child = fork()
        try #require(child >= 0)
        if child == 0 {
            pause()
            _exit(0)
        }
        defer {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        #expect(CrossMemoryCheck.allowed(pid: UInt64(child), writing: true) == 0)
    }

    @Test func noSuchProcess() {
        #expect(CrossMemoryCheck.allowed(pid: 0x3fff_fff0, writing: false) == -Errno.srch)
        #expect(CrossMemoryCheck.allowed(pid: 0, writing: false) == -Errno.srch)
        #expect(CrossMemoryCheck.allowed(pid: 1 << 40, writing: false) == -Errno.srch)
    }
}
