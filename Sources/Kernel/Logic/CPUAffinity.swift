/// sched_getaffinity(2) and sched_setaffinity(2) on the LWK. A thread's affinity is a
/// set of its process's CPUs (all of them at first; a new thread inherits its parent's).
/// Masks number LWK CPUs (bit n = LWK CPU n); the kernel's mask has a bit for each LWK
/// CPU of the instance (nr_cpu_ids), in whole longs, and the size rules are Linux's.
public enum CPUAffinity {
    /// cpumask_size(): the kernel's mask in bytes, for `cpuCount` CPUs.
    public static func maskBytes(cpuCount: Int) -> Int { (max(cpuCount, 1) + 63) / 64 * 8 }

    /// The `bytes`-long mask of `cpus` (CPUs beyond it left out).
    public static func mask(_ cpus: [Int], bytes: Int) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: max(bytes, 0))
        for cpu in cpus where cpu >= 0 && cpu / 8 < mask.count { mask[cpu / 8] |= 1 << UInt8(cpu % 8) }
        return mask
    }

    /// The CPUs a mask names, ascending.
    public static func cpus(in mask: [UInt8]) -> [Int] {
        var cpus: [Int] = []
        for (index, byte) in mask.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & 1 << UInt8(bit) != 0 { cpus.append(index * 8 + bit) }
        }
        return cpus
    }

    /// sched_getaffinity(pid, len, mask): the bytes to write at mask, and the call
    /// returns their count. EINVAL when `len` (an unsigned int) cannot hold a bit per
    /// CPU or is not a whole number of longs.
    public static func get(_ affinity: [Int], length: UInt64, cpuCount: Int) throws(Errno) -> [UInt8] {
        let length = UInt32(truncatingIfNeeded: length)
        guard Int(length &* 8) >= cpuCount, length % 8 == 0 else { throw .inval }
        return mask(affinity, bytes: min(Int(length), maskBytes(cpuCount: cpuCount)))
    }

    /// sched_setaffinity(pid, len, mask): the thread's new affinity. The mask is read up
    /// to the kernel's size (a shorter one leaves the other CPUs out; EFAULT when
    /// unreadable) and kept to the process's CPUs: EINVAL when none of them remains.
    public static func set(mask address: UInt64, length: UInt64, processCPUs: [Int], cpuCount: Int,
                           memory: some UserMemoryReader) throws(Errno) -> [Int] {
        let bytes = min(Int(UInt32(truncatingIfNeeded: length)), maskBytes(cpuCount: cpuCount))
        var asked: [UInt8] = []
        if bytes > 0 {
            guard let read = memory.read(address, count: bytes) else { throw .fault }
            asked = read
        }
        let allowed = cpus(in: asked).filter { processCPUs.contains($0) }
        guard !allowed.isEmpty else { throw .inval }
        return allowed
    }
}
