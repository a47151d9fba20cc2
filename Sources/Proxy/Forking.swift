import CMcexec
import CMcosABI
import Glibc
import Kernel
import NodeBasics

/// fork on the LWK (MCOS_PROXY_FORK): mcexec forks itself, so that the child program
/// has a proxy of its own, whose pid it gets, with copies of the descriptors, and
/// whose end the parent program's wait4 and SIGCHLD see as Linux's. The new mcexec
/// creates the child on the LWK (PROC_CREATE with MCOS_CREATE_FORK: the LWK copies the
/// parent, which waits meanwhile) and reports through a pipe; then it serves the child
/// as this mcexec serves the parent, and ends as the child ends.
extension Launcher {
    /// The parent's side: the child's pid once the LWK has created it, or -errno. For a
    /// vfork, only once the child has exec'd or ended (its mcexec closes the pipe).
    func forkProgram(token: UInt64, parentWaits: Bool, process: Int32) -> Int64 {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return -Int64(errno) }
        // mcexec's own, out of the program's way (and the child program's)
        ends = ends.map { Self.movedOutOfTheWay($0) }
        descriptors.add(Set(ends))
        defer { descriptors.remove(Set(ends)) }
        // This thread passes signals on from their handler on its channel, which the
        // child inherits: until the child no longer does, a signal waits.
        var mask = sigset_t()
        _ = mcexec_mask_forwarded(SIG_BLOCK, &mask)
        let child = Glibc.fork()
        if child == 0 {
            Self.stopServing()
            pthread_sigmask(SIG_SETMASK, &mask, nil)
            // ends[0] goes with the parent's other descriptors once the child exists
            runForkedChild(token: token, parentProcess: process, report: ends[1], staysOpen: parentWaits)
        }
        pthread_sigmask(SIG_SETMASK, &mask, nil)
        close(ends[1])
        defer { close(ends[0]) }
        if child < 0 { return -Int64(errno) }
        var answer: Int64 = 0
        let got = Self.readFully(ends[0], &answer)
        guard got && answer == 0 else {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            return got && answer < 0 ? answer : -Errno.again
        }
        verbose("\(name) forked: its child is process \(child)")
        if parentWaits {
            // Until the child's mcexec closes its end. A signal the LWK sends this
            // thread's program thread ends the wait early, as a killable vfork's would.
            var byte: UInt8 = 0
            _ = read(ends[0], &byte, 1)
        }
        return Int64(child)
    }

    /// The new mcexec: creates the child, tells the parent, serves the child and the
    /// programs it execs, and ends as the last one ends. Never returns.
    private func runForkedChild(token: UInt64, parentProcess: Int32, report: Int32, staysOpen: Bool) -> Never {
        var launcher = self
        launcher.pid = getpid()
        launcher.vforkRelease = staysOpen ? report : nil
        ProxyThread.forgetAll()
        _ = mcexec_take_signals()  // the parent's to pass on, not this one's
        _ = mcexec_take_thread_signals()
        let end: ProgramEnd
        do throws(MCExecError) {
            end = try launcher.follow(try launcher.runForkedProgram(token: token, parentProcess: parentProcess, report: report))
        } catch {
            Self.writeError(error.description)
            exit(error.status.rawValue)
        }
        MCExec.finish(end)
    }

    /// The forked child on a file of its own, until it exits or execs (like runProgram).
    private func runForkedProgram(token: UInt64, parentProcess: Int32, report: Int32) throws(MCExecError) -> (ProgramOutcome, Int32) {
        // Until the child exists, a failure is the parent's fork's errno, and this
        // mcexec ends without a word: the program reports it, as natively.
        let device: Int32
        do throws(MCExecError) { device = try openDevice() } catch {
            _ = Self.writeFully(report, -Errno.again)
            verbose(error.description)
            exit(1)
        }
        var create = mcos_proc_create()
        create.size = UInt32(MemoryLayout<mcos_proc_create>.size)
        create.flags = MCOS_CREATE_FORK
        create.lwk_cpu = -1
        create.numa_mask = options.numaMask
        create.cpuShare = share?.mask ?? .all
        create.parent_fd = parentProcess
        create.fork_token = token
        let result = deviceControl(device, mcos_ioc_proc_create, &create)
        // No idle CPU is fork's EAGAIN; anything else the LWK or the module said.
        _ = Self.writeFully(report, result == -Int(EBUSY) ? -Errno.again : Int64(min(result, 0)))
        if result < 0 {
            verbose(lwkError(result, "create the child of \(name)'s fork").description)
            exit(1)
        }
        // The parent's files and pipes, which the fork copied, are not this mcexec's.
        descriptors.remove([report])
        for fd in descriptors.current { close(fd) }
        descriptors.remove(descriptors.current)
        if vforkRelease == nil { close(report) } else { descriptors.add([report]) }
        defer { close(device) }
        verbose("child of the fork: process \(pid) on OS \(instance), LWK CPU \(create.lwk_cpu)")
        if let bound = ProxyBinding.bind(lwkCPU: Int(create.lwk_cpu), instance: instance) {
            verbose("proxy on NUMA node \(bound.node), beside Linux CPU \(bound.linuxCPU), which serves that LWK CPU")
        }
        try mapUnifiedRange(device, offset: create.map_offset)
        defer { munmap(UnsafeMutableRawPointer(bitPattern: UInt(ProgramLayout.userStart)), Int(ProgramLayout.userEnd - ProgramLayout.userStart)) }
        return (try serveProgram(device), create.lwk_cpu)
    }

    static func readFully<T>(_ fd: Int32, _ value: inout T) -> Bool {
        withUnsafeMutableBytes(of: &value) { bytes in
            var done = 0
            while done < bytes.count {
                let got = read(fd, bytes.baseAddress! + done, bytes.count - done)
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { return false }
                done += got
            }
            return true
        }
    }

    static func writeFully<T>(_ fd: Int32, _ value: T) -> Bool {
        withUnsafeBytes(of: value) { writeAll(fd, $0) }
    }
}
