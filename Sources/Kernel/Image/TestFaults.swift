// Faults on purpose (test_fault=page|syscall), so that the PANIC path runs for real
// in the VM tests, and shared headers corrupted on purpose (test_fault=rings), so that
// they see the LWK and Linux keep to their own copies of a ring's size. Only the test
// image has them (`make kernel-test`, built with LWK_TEST_FAULTS); the image `make
// kernel` ships has no such code, and logs the argument as an unknown one.

import CMcosABI

#if LWK_TEST_FAULTS
let testFaultsBuilt = true

func faultOnPurposeAtBoot(_ cpu: Int) {
    if kernel.options.testFault == .pageFault { faultOnPurpose(cpu, "test_fault=page") }
}

func faultOnPurposeInSystemCall(_ cpu: Int) {
    if kernel.options.testFault == .inSyscall { faultOnPurpose(cpu, "test_fault=syscall") }
}

/// Once RUNNING (Linux has taken the IKC area, READY and the master ACK are behind):
/// every IKC ring header says 0xffffffff slots and the kmsg header 0xffffffff bytes of
/// text, as a hostile or buggy party could write them. Then one buffer's worth of
/// filler goes into the log, so that it wraps: a writer that believed the header would
/// now write past the end of the buffer (into Linux's memory; here, an unmapped page),
/// and a ring user that believed it would leave its ring once a channel has carried
/// more packets than a ring holds (88-ring-headers drives that).
func corruptRingHeadersOnPurpose(_ cpu: Int) {
    guard kernel.options.testFault == .ringHeaders else { return }
    let absurd: UInt32 = 0xffff_ffff
    let slotsOffset = MemoryLayout<mcos_ikc_ring>.offset(of: \.slots)!
    for index in 0..<mcos_ikc_nr_rings(UInt32(contextLayout.count)) {
        RawShared(kernel.ikc + UInt64(index) * UInt64(kernel.ikcRingBytes)).store32(slotsOffset, absurd)
    }
    RawShared(kernel.kmsg).store32(MemoryLayout<mcos_kmsg_ring>.offset(of: \.data_bytes)!, absurd)
    log(cpu, "test_fault=rings: every IKC ring header says \(absurd) slots, the kmsg header \(absurd) bytes of text")
    let ring = kmsgRing()
    let end = ring.head + ring.dataBytes
    var lines = 0
    while ring.head < end {
        lines += 1
        let line = LogLine.format(cpu: cpu, "test_fault=rings: filler line \(lines), to wrap the log")
        lwk_spin_lock(&kmsgLock)
        ring.write(line)
        lwk_spin_unlock(&kmsgLock)
    }
    // What the headers say now, read back: the filler overwrote the line above.
    let slots = RawShared(kernel.ikc).load32(slotsOffset)
    log(cpu, "test_fault=rings: the log wrapped after \(lines) filler lines; the headers say \(slots) slots, \(ring.announcedDataBytes) bytes of text")
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
@inline(__always) func corruptRingHeadersOnPurpose(_ cpu: Int) {}
#endif
