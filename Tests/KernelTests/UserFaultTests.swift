import Testing
@testable import Kernel

/// The siginfo and trap state of a user-mode exception, as Linux's traps.c and fault.c fill them.
@Suite struct UserFaultTests {
    static let rip: UInt64 = 0x40_1234
    static let before = TrapState(number: 14, errorCode: 4, address: 0x5000)

    static func fault(_ vector: UInt64, error: UInt64 = 0, cr2: UInt64 = 0, mapped: Bool = false, dr6: UInt64 = 0,
                      fpArea: [UInt8] = []) -> UserFault? {
        UserFault(vector: vector, errorCode: error, rip: rip, trap: before, cr2: cr2, mapped: mapped, debugStatus: dr6, fpArea: fpArea)
    }

    @Test func pageFaults() throws {
        let unmapped = try #require(Self.fault(CPUException.pageFault, error: 6, cr2: 0x1238))
        #expect(unmapped.info == .fault(Signal.segv, code: SignalCode.notMapped, address: 0x1238))
        #expect(unmapped.trap == TrapState(number: 14, errorCode: 6, address: 0x1238))
        let readOnly = try #require(Self.fault(CPUException.pageFault, error: 7, cr2: 0x40_0000, mapped: true))
        #expect(readOnly.info.code == SignalCode.accessDenied)
        let kernelAddress = try #require(Self.fault(CPUException.pageFault, error: 4, cr2: 0xffff_8000_0000_0000))
        #expect(kernelAddress.trap.errorCode == 5, "a kernel address is reported as a protection fault")
        let pastEnd = try #require(UserFault(vector: CPUException.pageFault, errorCode: 4, rip: Self.rip, trap: Self.before,
                                             cr2: 0x7000_1010, mapped: true, pastFileEnd: true))
        #expect(pastEnd.info == .fault(Signal.bus, code: SignalCode.noSuchAddress, address: 0x7000_1010), "past a shared file's end")
        #expect(pastEnd.trap == TrapState(number: 14, errorCode: 4, address: 0x7000_1010))
    }

    @Test func trapsWithTheInstructionsAddress() throws {
        let divide = try #require(Self.fault(CPUException.divideError))
        #expect(divide.info == .fault(Signal.fpe, code: SignalCode.integerDivide, address: Self.rip))
        #expect(divide.trap == TrapState(number: 0, errorCode: 0, address: 0x5000), "cr2 is the last page fault's")
        #expect(Self.fault(CPUException.invalidOpcode)?.info == .fault(Signal.ill, code: SignalCode.illegalOperand, address: Self.rip))
        #expect(Self.fault(CPUException.debug, dr6: 1 << 14)?.info == .fault(Signal.trap, code: SignalCode.trace, address: Self.rip))
        #expect(Self.fault(CPUException.debug, dr6: 0b10)?.info.code == SignalCode.hardwareBreakpoint)
        #expect(Self.fault(CPUException.alignmentCheck)?.info == .fault(Signal.bus, code: SignalCode.misaligned, address: 0))
    }

    @Test func bareSignals() {
        for vector in [CPUException.generalProtection, CPUException.breakpoint, CPUException.invalidTSS] {
            let fault = Self.fault(vector, error: 0x18)
            #expect(fault?.info == .kernel(CPUException.signal(vector: vector) ?? 0), "\(vector)")
            #expect(fault?.trap.errorCode == 0x18)
        }
        #expect(Self.fault(CPUException.nmi) == nil)
    }

    @Test func floatingPointCodes() {
        var x87 = [UInt8](repeating: 0, count: 512)
        x87.setField(0x037b, at: 0, size: 2)  // zero-divide unmasked
        x87.setField(0x0004 | 0x0020, at: 2, size: 2)  // zero-divide and precision raised, precision masked
        #expect(Self.fault(CPUException.x87FloatingPoint, fpArea: x87)?.info == .fault(Signal.fpe, code: SignalCode.floatDivide, address: Self.rip))
        var simd = [UInt8](repeating: 0, count: 512)
        simd.setField(0x1f80 & ~0x0080 | 0x0001, at: 24, size: 4)  // invalid unmasked and raised
        #expect(Self.fault(CPUException.simdFloatingPoint, fpArea: simd)?.info.code == SignalCode.floatInvalid)
        simd.setField(0x1f80 | 0x0020, at: 24, size: 4)  // precision raised but masked: spurious
        #expect(Self.fault(CPUException.simdFloatingPoint, fpArea: simd) == nil)
    }
}
