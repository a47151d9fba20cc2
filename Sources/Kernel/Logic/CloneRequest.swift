import CMcosABI

/// A clone(2) or clone3(2) call as one value, checked as Linux checks it (sys_clone3's
/// copy of struct clone_args, kernel_clone, copy_process), and what the LWK makes of it:
/// a thread of the calling process (pthread_create, libgomp), a new process (fork, vfork,
/// posix_spawn), or a refusal with the errno Linux would give.
public struct CloneRequest: Equatable, Sendable {
    /// CLONE_* without the exit signal.
    public var flags: UInt64
    /// The signal a new process sends its parent when it ends (SIGCHLD for fork), 0 for none.
    public var exitSignal: UInt64
    /// The new thread's stack pointer; 0 keeps the caller's.
    public var stack: UInt64
    /// The thread pointer with CLONE_SETTLS.
    public var tls: UInt64
    /// Where CLONE_PARENT_SETTID writes the new tid, in the caller's memory.
    public var parentTID: UInt64
    /// Where CLONE_CHILD_SETTID writes the new tid and CLONE_CHILD_CLEARTID clears it, in
    /// the new thread's memory.
    public var childTID: UInt64
    /// Where CLONE_PIDFD writes a pidfd: clone3's own field, clone's parent_tid.
    public var pidfd: UInt64
    /// clone3's set_tid: the tids asked for, one per pid namespace level.
    public var setTIDs: [Int32]
    /// clone3's cgroup file descriptor (CLONE_INTO_CGROUP).
    public var cgroup: UInt64

    public init(flags: UInt64, exitSignal: UInt64 = 0, stack: UInt64 = 0, tls: UInt64 = 0, parentTID: UInt64 = 0,
                childTID: UInt64 = 0, pidfd: UInt64 = 0, setTIDs: [Int32] = [], cgroup: UInt64 = 0) {
        self.flags = flags
        self.exitSignal = exitSignal
        self.stack = stack
        self.tls = tls
        self.parentTID = parentTID
        self.childTID = childTID
        self.pidfd = pidfd
        self.setTIDs = setTIDs
        self.cgroup = cgroup
    }

    /// clone(flags, stack, parent_tid, child_tid, tls), the order of x86-64 and of the
    /// generic system call table. Only the low 32 bits of `flags` count; their low byte
    /// is the exit signal. clone never refuses flags it does not know.
    public static func clone(flags: UInt64, stack: UInt64, parentTID: UInt64, childTID: UInt64, tls: UInt64) -> CloneRequest {
        let low = flags & CloneFlag.legacy
        return CloneRequest(flags: low & ~CloneFlag.exitSignalMask, exitSignal: low & CloneFlag.exitSignalMask, stack: stack,
                            tls: tls, parentTID: parentTID, childTID: childTID, pidfd: parentTID)
    }

    /// clone3(args, size): struct clone_args as the program's version of it has `size`
    /// bytes. Bytes the LWK does not know must be zero (E2BIG, as for any size-versioned
    /// struct); sizes over a page are E2BIG and below the first version EINVAL. The
    /// stack becomes its top (stack + stack_size), the way the stack grows.
    public static func clone3(arguments address: UInt64, size: UInt64, memory: some UserMemoryReader) throws(Errno) -> CloneRequest {
        typealias A = CloneArguments
        guard size <= UserSpace.pageSize else { throw .tooBig }
        guard size >= A.version0Bytes else { throw .inval }
        guard address <= UInt64.max - size else { throw .fault }
        if size > A.bytes {
            guard let tail = memory.read(address + A.bytes, count: Int(size - A.bytes)) else { throw .fault }
            guard tail.allSatisfy({ $0 == 0 }) else { throw .tooBig }
        }
        guard var bytes = memory.read(address, count: Int(min(size, A.bytes))) else { throw .fault }
        bytes += [UInt8](repeating: 0, count: Int(A.bytes) - bytes.count)

        let setTIDAddress = bytes.word(at: A.setTIDOffset), setTIDCount = bytes.word(at: A.setTIDSizeOffset)
        guard setTIDCount <= A.maximumSetTIDs, (setTIDAddress == 0) == (setTIDCount == 0) else { throw .inval }
        let exitSignal = bytes.word(at: A.exitSignalOffset)
        guard exitSignal <= UInt64(Signal.count) else { throw .inval }
        let flags = bytes.word(at: A.flagsOffset), cgroup = bytes.word(at: A.cgroupOffset)
        if flags & CloneFlag.intoCgroup != 0 {
            guard cgroup <= UInt64(Int32.max), size >= A.version2Bytes else { throw .inval }
        }
        var setTIDs: [Int32] = []
        if setTIDCount > 0 {
            guard let tids = memory.read(setTIDAddress, count: Int(setTIDCount) * 4) else { throw .fault }
            for index in 0..<Int(setTIDCount) { setTIDs.append(Int32(bitPattern: UInt32(tids.field(at: 4 * index, size: 4)))) }
        }
        var request = CloneRequest(flags: flags, exitSignal: exitSignal, stack: bytes.word(at: A.stackOffset),
                                   tls: bytes.word(at: A.tlsOffset), parentTID: bytes.word(at: A.parentTIDOffset),
                                   childTID: bytes.word(at: A.childTIDOffset), pidfd: bytes.word(at: A.pidfdOffset),
                                   setTIDs: setTIDs, cgroup: cgroup)
        try request.checkClone3(stackSize: bytes.word(at: A.stackSizeOffset))
        return request
    }

    /// clone3_args_valid: only flags clone3 knows, neither CLONE_DETACHED nor CSIGNAL's
    /// byte (reserved in clone3, but CLONE_NEWTIME), no exit signal for a thread or a
    /// sibling, a stack with a size inside user space.
    mutating func checkClone3(stackSize: UInt64) throws(Errno) {
        typealias F = CloneFlag
        guard flags & ~(F.legacy | F.clearSighand | F.intoCgroup) == 0,
              flags & (F.detached | (F.exitSignalMask & ~F.newTime)) == 0,
              flags & (F.sighand | F.clearSighand) != F.sighand | F.clearSighand,
              flags & (F.thread | F.parent) == 0 || exitSignal == 0 else { throw .inval }
        if stack == 0 {
            guard stackSize == 0 else { throw .inval }
        } else {
            guard stackSize > 0, stackSize <= MCOS_USER_END, stack <= MCOS_USER_END - stackSize else { throw .inval }
            stack += stackSize
        }
    }

    /// What the LWK does with the request.
    public enum Decision: Equatable, Sendable {
        /// A new thread of the calling process.
        case thread
        /// A new process with a copy of the caller's memory (fork); with CLONE_VFORK the
        /// caller waits until the child execs or exits.
        case fork(parentWaits: Bool)
        /// A new process that borrows the caller's memory until it execs or exits, the
        /// caller waiting (vfork, posix_spawn).
        case vfork
        /// Linux refuses it too, with this errno.
        case invalid(Errno)
        /// Linux would do it; the LWK cannot, and answers what Linux answers for an option
        /// it does not support. The reason is for the log.
        case unsupported(Errno, String)
    }

    /// Linux's checks in its order (kernel_clone, copy_process, copy_namespaces,
    /// copy_thread, alloc_pid), then what the LWK refuses.
    public var decision: Decision {
        typealias F = CloneFlag
        func has(_ flag: UInt64) -> Bool { flags & flag != 0 }
        if has(F.pidfd), has(F.parentSetTID), pidfd == parentTID { return .invalid(.inval) }
        // Recent kernels check it here for clone too; older ones took a number past
        // SIGRTMAX and then never sent it.
        if exitSignal > UInt64(Signal.count) { return .invalid(.inval) }
        if has(F.fs), has(F.newMount) || has(F.newUser) { return .invalid(.inval) }
        if has(F.thread), !has(F.sighand) { return .invalid(.inval) }
        if has(F.sighand), !has(F.vm) { return .invalid(.inval) }
        if has(F.thread), has(F.newUser) || has(F.newPID) { return .invalid(.inval) }
        if has(F.pidfd), has(F.detached) || has(F.thread) { return .invalid(.inval) }  // Linux before 6.9: no thread pidfds
        if flags & F.namespaces != 0 {
            // What a process without CAP_SYS_ADMIN gets (or without unprivileged user
            // namespaces, as Debian's kernel.unprivileged_userns_clone=0 has it).
            return .unsupported(.perm, "new namespaces")
        }
        if has(F.setTLS), !ThreadPointer.accepts(tls) { return .invalid(.perm) }
        if !setTIDs.isEmpty {
            // The LWK's processes live in Linux's first pid namespace: one level.
            if setTIDs.count > 1 || setTIDs.contains(where: { $0 < 1 }) { return .invalid(.inval) }
            return .unsupported(.perm, "set_tid (the tid comes from Linux's pool)")
        }
        if has(F.intoCgroup) { return .unsupported(.inval, "CLONE_INTO_CGROUP") }
        if has(F.thread) {
            if has(F.vfork) { return .unsupported(.inval, "CLONE_VFORK with CLONE_THREAD") }
            // A thread's calls are served by its proxy thread, which shares mcexec's
            // descriptors and working directory.
            if !has(F.files) || !has(F.fs) { return .unsupported(.inval, "a thread without CLONE_FILES and CLONE_FS") }
            return .thread
        }
        if has(F.vm) {
            return has(F.vfork) ? .vfork : .unsupported(.inval, "a process sharing its parent's memory (CLONE_VM without CLONE_THREAD)")
        }
        return .fork(parentWaits: has(F.vfork))
    }

    // What the new thread starts with and what is written for it.

    /// The new thread's stack pointer, nil to keep the caller's.
    public var childStack: UInt64? { stack == 0 ? nil : stack }
    /// CLONE_SETTLS: the new thread's thread pointer (else the caller's).
    public var threadPointer: UInt64? { flags & CloneFlag.setTLS != 0 ? tls : nil }
    /// CLONE_PARENT_SETTID: where the new tid goes in the caller's memory before clone
    /// returns (a fault is ignored, as on Linux).
    public var parentTIDAddress: UInt64? { flags & CloneFlag.parentSetTID != 0 ? parentTID : nil }
    /// CLONE_CHILD_SETTID: where the new thread writes its tid before it first runs.
    public var childTIDAddress: UInt64? { flags & CloneFlag.childSetTID != 0 ? childTID : nil }
    /// CLONE_CHILD_CLEARTID: the new thread's clear_child_tid (ThreadExit).
    public var clearChildTIDAddress: UInt64? { flags & CloneFlag.childClearTID != 0 ? childTID : nil }
}

extension CloneRequest {
    /// What the LWK cannot give a new process (fork, vfork, posix_spawn's clone): the
    /// errno Linux answers for an option it lacks, and why, for the log; nil when it
    /// can. The child is a copy in a process of its own, served by a proxy of its own
    /// (mcexec forks itself), so nothing but its memory's bytes is shared, and its end
    /// reaches the parent as SIGCHLD.
    public var processRefusal: (errno: Errno, reason: String)? {
        typealias F = CloneFlag
        if flags & F.files != 0 { return (.inval, "a process sharing its parent's descriptor table (CLONE_FILES)") }
        if flags & F.fs != 0 { return (.inval, "a process sharing its parent's working directory (CLONE_FS)") }
        if flags & F.parent != 0 { return (.inval, "a sibling process (CLONE_PARENT)") }
        if flags & F.pidfd != 0 { return (.inval, "CLONE_PIDFD") }
        if exitSignal != 0 && exitSignal != UInt64(Signal.chld) { return (.inval, "a child that ends with a signal other than SIGCHLD") }
        return nil
    }
}
