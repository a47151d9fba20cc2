import Glibc

/// ioctl(2) on /dev/mcosN with its argument passed by address: the result, or -errno
/// (the shape the module's answers are read in throughout mcexec).
func deviceControl<Argument>(_ descriptor: Int32, _ request: UInt, _ argument: inout Argument) -> Int {
    let result = withUnsafeMutablePointer(to: &argument) { ioctl(descriptor, request, $0) }
    return result < 0 ? -Int(errno) : Int(result)
}
