/// Linux's error numbers (asm-generic/errno-base.h and errno.h), the ones the LWK and
/// mcexec answer system calls with; a call returns one negated (`-Errno.inval`), and the
/// kernel's logic throws one where a call fails. The names are the C ones without the E
/// (E2BIG: `tooBig`). `LinuxHeaderTests` checks each against <errno.h>.
public enum Errno: Int32, CaseIterable, Sendable, Error {
    case perm = 1
    case noEnt = 2
    case srch = 3
    case intr = 4
    case io = 5
    case tooBig = 7
    case noExec = 8
    case badf = 9
    case child = 10
    case again = 11
    case noMem = 12
    case acces = 13
    case fault = 14
    case busy = 16
    case exist = 17
    case noDev = 19
    case notDir = 20
    case inval = 22
    case noTTY = 25
    case nameTooLong = 36
    case noSys = 38
    case loop = 40
    case overflow = 75
    case libBad = 80
    case noProtoOpt = 92
    case opNotSupp = 95
    case timedOut = 110

    /// What a system call returns for this error.
    public static prefix func - (errno: Errno) -> Int64 { -Int64(errno.rawValue) }

    /// MAX_ERRNO: a system call's result in [-maximum, -1] is an error, any other a value.
    public static let maximum: Int64 = 4095
}
