// The saved user state (struct lwk_frame, entry.S's layout) by what it means to the
// generic kernel: system calls, clone and fork, restarts and the way back to user mode
// read and write these, never a register, so that another architecture's frame only
// has to give the same names.

extension lwk_frame {
    /// Where the thread goes on in user mode.
    var instructionPointer: UInt64 {
        get { rip }
        set { rip = newValue }
    }

    var stackPointer: UInt64 {
        get { rsp }
        set { rsp = newValue }
    }

    /// What the system call returns to the program (a new thread's or child's 0 too).
    var syscallResult: UInt64 {
        get { rax }
        set { rax = newValue }
    }

    /// The system call's arguments in Linux's x86-64 order (rdi rsi rdx r10 r8 r9):
    /// r10, not rcx, since SYSCALL leaves the return address in rcx.
    var syscallArguments: SyscallArguments { (rdi, rsi, rdx, r10, r8, r9) }

    /// Sets the frame to make system call `number` again when the thread resumes: back
    /// over the two bytes of SYSCALL, with the number in rax again.
    mutating func restartSyscall(_ number: UInt64) {
        rax = number
        rip &-= 2
    }
}

extension Arch {
    /// Whether the way back to user mode can resume at `address`: IRET and SYSRET fault
    /// in the kernel on a non-canonical rip.
    static func canReturnToUser(at address: UInt64) -> Bool { VirtualAddress.isCanonical(address) }
}
