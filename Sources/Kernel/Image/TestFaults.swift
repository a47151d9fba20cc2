// Faults on purpose (test_fault=page|syscall), so that the PANIC path runs for real
// in the VM tests. Only the test image has them (`make kernel-test`, built with
// LWK_TEST_FAULTS); the image `make kernel` ships has no such code, and logs the
// argument as an unknown one.

#if LWK_TEST_FAULTS
let testFaultsBuilt = true

func faultOnPurposeAtBoot(_ cpu: Int) {
    if kernel.options.testFault == .pageFault { faultOnPurpose(cpu, "test_fault=page") }
}

func faultOnPurposeInSystemCall(_ cpu: Int) {
    if kernel.options.testFault == .inSyscall { faultOnPurpose(cpu, "test_fault=syscall") }
}

/// A kernel-mode page fault.
func faultOnPurpose(_ cpu: Int, _ why: String) {
    log(cpu, "\(why): reading an unmapped address")
    let bad = UnsafePointer<UInt64>(bitPattern: UInt(lwkBase - 0x1000))!
    log(cpu, "read \(bad.pointee)")
}
#else
let testFaultsBuilt = false

@inline(__always) func faultOnPurposeAtBoot(_ cpu: Int) {}
@inline(__always) func faultOnPurposeInSystemCall(_ cpu: Int) {}
#endif
