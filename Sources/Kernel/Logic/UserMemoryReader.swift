/// Reads of a program's memory as the kernel makes them on its behalf (copy_from_user):
/// the bytes, or nil when any of them is not readable by the program. The kernel's
/// logic reads through this; the image walks the process's page table, tests use an
/// array.
public protocol UserMemoryReader {
    func read(_ address: UInt64, count: Int) -> [UInt8]?
}
