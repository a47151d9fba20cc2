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

    @Test func aProcessRunningTheSameProgramIsAnotherMcexec() throws {
        #expect(CrossMemoryCheck.allowed(pid: UInt64(getpid()), writing: false, linuxProcess: true) == -Errno.noSys)
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sleep"), strdup("10"), nil]
        defer { argv.forEach { free($0) } }
        try #require(posix_spawn(&child, "/bin/sleep", nil, nil, argv, environ) == 0)
        defer {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        #expect(CrossMemoryCheck.allowed(pid: UInt64(child), writing: true, linuxProcess: true) == 0, "sleep is no mcexec")
    }

    @Test func noSuchProcess() {
        #expect(CrossMemoryCheck.allowed(pid: 0x3fff_fff0, writing: false) == -Errno.srch)
        #expect(CrossMemoryCheck.allowed(pid: 0, writing: false) == -Errno.srch)
        #expect(CrossMemoryCheck.allowed(pid: 1 << 40, writing: false) == -Errno.srch)
    }
}
