import Testing
@testable import Kernel

/// The tids Linux grants, and clone's wait when none is left.
@Suite struct ThreadIDPoolTests {
    @Test func grantsAreTakenInOrder() {
        var pool = ThreadIDPool()
        var takes = [pool.take(for: 100), pool.take(for: 100), pool.take(for: 101)]
        #expect(takes == [.wait, .wait, .wait] && pool.cloners == [100, 101])
        var woken = [pool.grant(500), pool.grant(500), pool.grant(0), pool.grant(501)]
        #expect(woken == [100, nil, nil, 101], "the cloner waiting longest first; a tid is granted once; 0 is nobody")
        takes = [pool.take(for: 100), pool.take(for: 101), pool.take(for: 102)]
        #expect(takes == [.tid(500), .tid(501), .wait])
        pool.giveUp(102)
        woken = [pool.grant(502)]
        #expect(pool.cloners.isEmpty && woken == [nil] && pool.granted == [502])
        #expect(ThreadIDPool.grantWaitNanoseconds == 5_000_000_000)
        #expect(ThreadIDPool.exhausted.hasPrefix("no tid granted by mcexec within 5 s"))
    }
}
