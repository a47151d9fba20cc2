import CMcexec
import CMcosABI
import Dispatch
import Glibc
import Kernel

/// mcexec's own descriptors, of every proxy thread (each one's /dev/mcosN file and
/// pipe), which no call of the program, on whichever thread, may touch. Proxy threads
/// come and go while the program runs, so each call is checked against the set as it is
/// at that moment.
final class OwnDescriptors: Sendable {
    private let descriptors = ForkSafeLock<Set<Int32>>([])

    var current: Set<Int32> { descriptors.withLock { $0 } }

    func add(_ more: Set<Int32>) {
        descriptors.withLock { $0.formUnion(more) }
    }

    func remove(_ gone: Set<Int32>) {
        descriptors.withLock { $0.subtract(gone) }
    }
}

/// The proxy thread of a further thread of the program (MCOS_PROXY_THREAD_CREATE): it
/// opens /dev/mcosN anew, attaches that file to the LWK CPU the program's thread is
/// about to start on (MCOS_IOC_THREAD_ATTACH), answers the request with its Linux tid,
/// which becomes that thread's, and serves the thread's calls until it ends. Its own
/// file and pipe, so that a thread blocked in a call never holds up its siblings.
final class ProxyThread {
    private let launcher: Launcher
    private let process: Int32
    private let lwkCPU: Int32
    /// The LWK CPUs a proxy thread is attached to. The LWK counts a CPU idle once it has
    /// sent its thread's THREAD_EXIT; the module, once the proxy thread has read it. A
    /// thread created right after one was joined may be placed on that CPU in between.
    private static let attached = ForkSafeLock<Set<Int32>>([])
    /// How long a new proxy thread waits for the one before it on its CPU to finish.
    private static let handOverMicroseconds: UInt32 = 2_000_000
    /// Posted once, by the new thread, with the request's answer.
    private let answered = DispatchSemaphore(value: 0)
    private var answer: Int64 = 0

    private init(launcher: Launcher, process: Int32, lwkCPU: Int32) {
        self.launcher = launcher
        self.process = process
        self.lwkCPU = lwkCPU
    }

    /// Starts the proxy thread of the program's thread about to start on LWK CPU
    /// `lwkCPU` (the LWK's word, checked by the module) of the process whose file is
    /// `process`, and waits until it has attached. The answer to the request: its tid,
    /// the attach's -errno, or -EAGAIN when no thread can be had.
    static func start(for launcher: Launcher, process: Int32, lwkCPU: UInt64) -> Int64 {
        guard let cpu = Int32(exactly: lwkCPU) else { return -Errno.inval }
        waitForHandOver(of: cpu)
        let thread = ProxyThread(launcher: launcher, process: process, lwkCPU: cpu)
        guard thread.spawn() else {
            launcher.verbose("no proxy thread for LWK CPU \(cpu): \(String(cString: strerror(errno)))")
            return -Errno.again
        }
        thread.answered.wait()
        return thread.answer
    }

    /// In a forked mcexec: the parent's proxy threads are not here, nor attached.
    static func forgetAll() { attached.withLock { $0.removeAll() } }

    /// Waits (a bounded while) until no proxy thread of this mcexec is attached to `cpu`:
    /// the LWK said that CPU's thread ended, so its proxy thread is about to see it.
    private static func waitForHandOver(of cpu: Int32) {
        var waited: UInt32 = 0
        while attached.withLock({ $0.contains(cpu) }) && waited < handOverMicroseconds {
            usleep(100)
            waited += 100
        }
    }

    /// The thread, detached, born with the forwarded signals blocked, so that none is
    /// caught by it before it serves a program thread to pass them to.
    private func spawn() -> Bool {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return false }
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) == 0 else { return false }
        var mask = sigset_t()
        guard mcexec_mask_forwarded(SIG_BLOCK, &mask) == 0 else { return false }
        defer { pthread_sigmask(SIG_SETMASK, &mask, nil) }

        let context = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { context in
            Unmanaged<ProxyThread>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context.toOpaque())
        guard created == 0 else {
            context.release()
            errno = created
            return false
        }
        return true
    }

    private func post(_ value: Int64) {
        answer = value
        answered.signal()
    }

    // MARK: - In the new thread

    /// Its file, its pipe, the attach, the serving; each undone in reverse. A descriptor
    /// is closed before it is forgotten as mcexec's, so that mcexec never closes one the
    /// program may have got in the meantime.
    private func run() {
        let opened = open(launcher.devicePath, O_RDWR | O_CLOEXEC)
        guard opened >= 0 else {
            launcher.verbose("no proxy thread for LWK CPU \(lwkCPU): cannot open \(launcher.devicePath): \(String(cString: strerror(errno)))")
            return post(-Errno.again)
        }
        let device = Launcher.movedOutOfTheWay(opened)
        launcher.descriptors.add([device])
        let pipe = serveWithPipe(device)
        close(device)
        launcher.descriptors.remove(pipe.union([device]))
    }

    /// With a pipe of its own: attaches and serves. The pipe's descriptors, closed by the
    /// time the caller has them (the pipe ends with this function).
    private func serveWithPipe(_ device: Int32) -> Set<Int32> {
        guard let memory = PipedProgramMemory(descriptorFloor: Launcher.descriptorFloor) else {
            launcher.verbose("no proxy thread for LWK CPU \(lwkCPU): no pipe: \(String(cString: strerror(errno)))")
            post(-Errno.again)
            return []
        }
        launcher.descriptors.add(memory.descriptors)
        let channel = ProxyChannel(device: device, process: process, memory: memory)
        if attach(device) {
            serve(channel)
            Self.attached.withLock { _ = $0.remove(lwkCPU) }
        }
        return memory.descriptors
    }

    /// Attaches `device` to the CPU, then answers the request: true once attached.
    private func attach(_ device: Int32) -> Bool {
        var attach = mcos_thread_attach()
        attach.size = UInt32(MemoryLayout<mcos_thread_attach>.size)
        attach.process_fd = process
        attach.lwk_cpu = lwkCPU
        let result = deviceControl(device, mcos_ioc_thread_attach, &attach)
        guard result >= 0 else {
            launcher.verbose("no proxy thread for LWK CPU \(lwkCPU): \(String(cString: strerror(Int32(-result))))")
            post(Int64(result))
            return false
        }
        let tid = Launcher.threadID
        launcher.verbose("\(launcher.name)'s thread \(tid) on LWK CPU \(lwkCPU), served by its own proxy thread")
        // Before the answer: the thread may end, and another be asked for on this CPU,
        // before this proxy thread runs again.
        Self.attached.withLock { _ = $0.insert(lwkCPU) }
        post(Int64(tid))
        return true
    }

    /// Serves the program's thread until it ends. A proxy thread that fails leaves its
    /// program thread without anyone to perform its calls: the program is killed, as when
    /// mcexec fails serving the first thread, and the first thread's loop reports its end.
    private func serve(_ channel: ProxyChannel) {
        if let bound = ProxyBinding.bind(lwkCPU: Int(lwkCPU), instance: launcher.instance) {
            launcher.verbose("proxy thread of LWK CPU \(lwkCPU) on NUMA node \(bound.node), beside Linux CPU \(bound.linuxCPU), which serves that LWK CPU")
        }
        _ = mcexec_mask_forwarded(SIG_UNBLOCK, nil)
        do throws(MCExecError) {
            _ = try launcher.serve(channel)
        } catch {
            Launcher.writeError(error.description)
            launcher.kill(process, signal: SIGKILL, flags: 0)
        }
        _ = mcexec_mask_forwarded(SIG_BLOCK, nil)
        launcher.calls.forget(tid: Launcher.threadID)
        launcher.forwardProcessSignals(channel)
    }
}
