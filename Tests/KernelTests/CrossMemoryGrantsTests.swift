import Kernel
import Testing

@Suite struct CrossMemoryGrantsTests {
    private func grant(pid: UInt64 = 100, serial: UInt64 = 7, writing: Bool = false, generation: UInt32 = 3, until: UInt64 = 1000)
        -> CrossMemoryGrants.Grant {
        CrossMemoryGrants.Grant(pid: pid, serial: serial, writing: writing, generation: generation, until: until)
    }

    @Test func aKeptYesAnswersTheSameCallUntilItExpires() {
        var grants = CrossMemoryGrants()
        #expect(!grants.allows(pid: 100, serial: 7, writing: false, generation: 3, now: 0))
        grants.keep(grant())
        #expect(grants.allows(pid: 100, serial: 7, writing: false, generation: 3, now: 999))
        #expect(!grants.allows(pid: 100, serial: 7, writing: false, generation: 3, now: 1000))
    }

    @Test func anythingElseAsksAgain() {
        var grants = CrossMemoryGrants()
        grants.keep(grant())
        #expect(!grants.allows(pid: 101, serial: 7, writing: false, generation: 3, now: 0), "another pid")
        #expect(!grants.allows(pid: 100, serial: 8, writing: false, generation: 3, now: 0), "the pid used again")
        #expect(!grants.allows(pid: 100, serial: 7, writing: true, generation: 3, now: 0), "writing, not reading")
        #expect(!grants.allows(pid: 100, serial: 7, writing: false, generation: 4, now: 0), "credentials changed meanwhile")
    }

    @Test func aNewYesReplacesTheOldOneForTheSameProgram() {
        var grants = CrossMemoryGrants()
        grants.keep(grant(generation: 3))
        grants.keep(grant(serial: 9, generation: 4, until: 2000))
        #expect(grants.allows(pid: 100, serial: 9, writing: false, generation: 4, now: 1500))
        #expect(!grants.allows(pid: 100, serial: 7, writing: false, generation: 3, now: 0))
    }

    @Test func theOldestGoesWhenAllPlacesAreTaken() {
        var grants = CrossMemoryGrants()
        let count = UInt64(CrossMemoryGrants.capacity)
        for pid in 0..<count { grants.keep(grant(pid: pid)) }
        grants.keep(grant(pid: count))
        #expect(!grants.allows(pid: 0, serial: 7, writing: false, generation: 3, now: 0))
        for pid in 1...count { #expect(grants.allows(pid: pid, serial: 7, writing: false, generation: 3, now: 0)) }
        grants.keep(grant(pid: count + 1))
        #expect(!grants.allows(pid: 1, serial: 7, writing: false, generation: 3, now: 0))
    }

    @Test func aNewProgramHasNoGrants() {
        var grants = CrossMemoryGrants()
        grants.keep(grant())
        grants.forgetAll()
        #expect(!grants.allows(pid: 100, serial: 7, writing: false, generation: 3, now: 0))
    }

    @Test func credentialCallsMoveTheGeneration() {
        #expect(Syscall.setresuid.mayChangeProcessAccess)
        #expect(Syscall.prctl.mayChangeProcessAccess)
        #expect(Syscall.capset.mayChangeProcessAccess)
        #expect(!Syscall.read.mayChangeProcessAccess)
        #expect(!Syscall.getuid.mayChangeProcessAccess)
    }
}
