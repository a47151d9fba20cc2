import CMcosABI

// Frames of MAP_SHARED | MAP_ANONYMOUS memory (their leaves carry
// PageTables.sharedFrame) may be mapped by several processes: a fork shares them
// rather than copies. How many map each is counted here, only while more than one
// does (FrameReferences), and a frame goes back to the allocator when its last
// mapper lets go. Nothing under the lock but the count: frames are freed outside it.
//
// The count's room is made at boot, for every frame the LWK has up to 2^16 (256 MiB
// of shared frames, a table of 1.5 MiB): counting never allocates, so a fork cannot
// reach a failed allocation (a panic) through it; a fork that would count more
// fails with ENOMEM. (Not 2^17: its 2 MiB of keys and the heap's header are more than
// the largest block the frame allocator has, FrameAllocator.largestBlockBytes; the
// failed allocation at boot was seen to take the whole guest down, a triple fault
// not understood yet.)

nonisolated(unsafe) private var sharedFrames = FrameReferences(capacity: 0)
nonisolated(unsafe) private var sharedFramesLock: UInt32 = 0

/// At boot, once the frame allocator knows the LWK's memory: the count's room.
func setUpSharedFrames(bytes: UInt64) {
    sharedFrames = FrameReferences(capacity: Int(min(bytes >> 12, 1 << 16)))
}

/// How many frames the count has room for.
var sharedFrameRoom: Int { sharedFrames.capacity }

/// One more process maps the frame at `physical`; false, with nothing changed, when
/// the count has no room for another frame.
func shareFrame(_ physical: UInt64) -> Bool {
    lwk_spin_lock(&sharedFramesLock)
    let counted = sharedFrames.share(physical >> 12)
    lwk_spin_unlock(&sharedFramesLock)
    return counted
}

/// A process no longer maps the frame at `physical`: true when it was the last one,
/// and the frame may be freed.
func letGoOfSharedFrame(_ physical: UInt64) -> Bool {
    lwk_spin_lock(&sharedFramesLock)
    let last = sharedFrames.release(physical >> 12)
    lwk_spin_unlock(&sharedFramesLock)
    return last
}

/// Frees the frame of a user leaf `entry` (its frame address and software bits) of
/// `process`, unless another process still maps a shared one; a Linux frame goes back
/// to Linux instead (the caller then calls `process.giveBackLinuxFrames()`).
func releaseUserFrame(_ entry: UInt64, of process: Process) {
    let frame = entry & PageTables.addressMask
    guard entry & PageTables.sharedFrame == 0 || letGoOfSharedFrame(frame) else { return }
    if entry & PageTables.linuxFrame != 0 {
        process.giveBack(linuxFrame: frame)
    } else {
        release(physical: frame, bytes: 4096)
    }
}
