import CMcosABI

// Frames of MAP_SHARED | MAP_ANONYMOUS memory (their leaves carry
// PageTables.sharedFrame) may be mapped by several processes: a fork shares them
// rather than copies. How many map each is counted here, only while more than one
// does (FrameReferences), and a frame goes back to the allocator when its last
// mapper lets go. Nothing under the lock but the count: frames are freed outside it.

nonisolated(unsafe) private var sharedFrames = FrameReferences()
nonisolated(unsafe) private var sharedFramesLock: UInt32 = 0

/// One more process maps the frame at `physical`.
func shareFrame(_ physical: UInt64) {
    lwk_spin_lock(&sharedFramesLock)
    sharedFrames.share(physical >> 12)
    lwk_spin_unlock(&sharedFramesLock)
}

/// A process no longer maps the frame at `physical`: true when it was the last one,
/// and the frame may be freed.
func letGoOfSharedFrame(_ physical: UInt64) -> Bool {
    lwk_spin_lock(&sharedFramesLock)
    let last = sharedFrames.release(physical >> 12)
    lwk_spin_unlock(&sharedFramesLock)
    return last
}

/// Frees the frame of a user leaf `entry` (its frame address, and its sharedFrame
/// bit), unless another process still maps a shared one.
func releaseUserFrame(_ entry: UInt64) {
    let frame = entry & PageTables.addressMask
    if entry & PageTables.sharedFrame == 0 || letGoOfSharedFrame(frame) { release(physical: frame, bytes: 4096) }
}
