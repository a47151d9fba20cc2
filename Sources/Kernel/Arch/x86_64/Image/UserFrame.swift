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

// MARK: Exceptions in user mode

extension lwk_frame {
    var exceptionKind: ExceptionKind { CPUException.kind(vector: vector) }

    /// The address a fault that ends the process is reported with: CR2 (`accessed`)
    /// for a page fault, rip for the faults whose si_addr is the instruction, else 0.
    func reportedFaultAddress(accessed: UInt64) -> UInt64 {
        CPUException.faultAddress(vector: vector, cr2: accessed, rip: rip)
    }

    /// Linux's kernel-log line for a fault that ends the process.
    func faultMessage(name: String, pid: UInt64, address: UInt64) -> String {
        CPUException.faultMessage(name: name, pid: pid, vector: vector, address: address, rip: rip, rsp: rsp, error: error)
    }
}

extension UserFault {
    /// The fault `frame`'s exception is, Linux's way (UserFault.init's terms, `accessed`
    /// being CR2).
    init?(_ frame: lwk_frame, trap: TrapState, accessed: UInt64, mapped: Bool, pastFileEnd: Bool, fpArea: [UInt8]) {
        self.init(vector: frame.vector, errorCode: frame.error, rip: frame.rip, trap: trap, cr2: accessed, mapped: mapped,
                  pastFileEnd: pastFileEnd, fpArea: fpArea)
    }
}

extension Arch {
    /// The address the last page fault tried to access (CR2): the next page fault
    /// replaces it, so it is read first thing.
    static var pageFaultAddress: UInt64 { lwk_read_cr2() }
}
