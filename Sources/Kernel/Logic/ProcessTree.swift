/// The LWK's processes as Linux relates them: parents and children, zombies until a
/// wait reaps them, SIGCHLD to the parent, orphans given to the tree's init.
///
/// The init (reaper) of a tree is its root, the process mcexec started: the only one
/// whose parent is on Linux (the shell that ran mcexec, which sees mcexec's status).
/// Linux's own init cannot wait for LWK processes, so orphans go to the root, as they
/// would to the init of a PID namespace; and like a namespace's init, the root ending
/// ends the tree (every other member is killed), which is also how killing mcexec ends
/// the whole tree.
public struct ProcessTree: Equatable {
    public enum State: Equatable {
        case running
        case stopped
        /// Ended, waiting to be reaped by its parent.
        case zombie(ChildEvent)
    }

    public struct Member: Equatable {
        public var pid: Int32
        /// 0 for the root, whose parent is on Linux.
        public var parent: Int32
        public var processGroup: Int32
        public var session: Int32
        public var state: State
        /// The signal the parent gets when it ends: SIGCHLD for fork, clone's choice
        /// (0: none) for clone children, which only __WCLONE or __WALL waits see.
        public var exitSignal: UInt32
        /// A stop or continue the parent has not yet waited for.
        public var unreportedChange: ChildEvent?
        /// Whether it has called execve since fork (setpgid on it is then EACCES).
        public var hasExeced: Bool
    }

    /// What the parent's SIGCHLD disposition makes of a child's end or change.
    public struct ParentPolicy: Equatable {
        /// SIGCHLD is SIG_IGN: ending children are reaped at once and no SIGCHLD sent.
        public var ignoresChildSignal: Bool
        /// SA_NOCLDWAIT: ending children are reaped at once; a handler still runs.
        public var noChildWait: Bool
        /// SA_NOCLDSTOP: no SIGCHLD for stops and continues.
        public var noChildStop: Bool

        public init(ignoresChildSignal: Bool = false, noChildWait: Bool = false, noChildStop: Bool = false) {
            self.ignoresChildSignal = ignoresChildSignal
            self.noChildWait = noChildWait
            self.noChildStop = noChildStop
        }

        public init(_ disposition: SignalDisposition) {
            self.init(ignoresChildSignal: disposition.isIgnored, noChildWait: disposition.has(SignalActionFlag.noChildWait),
                      noChildStop: disposition.has(SignalActionFlag.noChildStop))
        }
    }

    /// In creation order, which is the order wait looks at children (Linux's list).
    public internal(set) var members: [Member]
    public let root: Int32

    /// A tree of one: the process mcexec started, in mcexec's group and session.
    public init(root: Int32, processGroup: Int32, session: Int32) {
        self.root = root
        members = [Member(pid: root, parent: 0, processGroup: processGroup, session: session, state: .running,
                          exitSignal: Signal.chld, unreportedChange: nil, hasExeced: true)]
    }

    public func member(_ pid: Int32) -> Member? {
        for member in members where member.pid == pid { return member }
        return nil
    }

    func index(_ pid: Int32) -> Int? { members.firstIndex { $0.pid == pid } }

    /// fork, vfork or clone without CLONE_THREAD: `child` joins its parent's group and
    /// session. EINVAL for an unknown parent or a pid in use (the caller's pool is wrong).
    public mutating func fork(parent: Int32, child: Int32, exitSignal: UInt32 = Signal.chld) throws(Errno) {
        guard let parentMember = member(parent), case .running = parentMember.state, member(child) == nil else { throw .inval }
        members.append(Member(pid: child, parent: parent, processGroup: parentMember.processGroup, session: parentMember.session,
                              state: .running, exitSignal: exitSignal, unreportedChange: nil, hasExeced: false))
    }

    public mutating func exec(_ pid: Int32) {
        if let at = index(pid) { members[at].hasExeced = true }
    }

    /// A signal the kernel must send because of an exit, a stop or a continue.
    public struct Notification: Equatable {
        public var pid: Int32
        public var signal: UInt32
        /// For SIGCHLD: the child and what happened to it; nil for SIGHUP/SIGCONT/SIGKILL.
        public var about: (pid: Int32, event: ChildEvent)?

        public static func == (a: Notification, b: Notification) -> Bool {
            a.pid == b.pid && a.signal == b.signal && a.about?.pid == b.about?.pid && a.about?.event == b.about?.event
        }
    }

    /// `pid` ended with `event` (exited or killed). Its children go to the root (zombies
    /// among them notify the root, as Linux's reparenting does); it becomes a zombie
    /// for its parent, or is reaped at once when the parent's policy says so.
    /// `policy(pid)` gives a process's SIGCHLD policy. Returns the signals to send; when
    /// the root ends, SIGKILL for every other living member.
    public mutating func exit(_ pid: Int32, event: ChildEvent, policy: (Int32) -> ParentPolicy) -> [Notification] {
        guard let at = index(pid) else { return [] }
        if case .zombie = members[at].state { return [] }
        switch event {
        case .exited, .killed: break
        case .stopped, .continued: return []
        }
        var notifications: [Notification] = []
        if pid == root {
            for member in members where member.pid != root {
                if case .zombie = member.state { continue }
                notifications.append(Notification(pid: member.pid, signal: Signal.kill, about: nil))
            }
        }
        let exiting = members[at]
        notifications += hangUpIfOrphaned(group: exiting.processGroup, session: exiting.session, ignoring: pid,
                                          linkedThrough: exiting.parent, policy: policy)
        members[at].state = .zombie(event)
        members[at].unreportedChange = nil
        // Children (zombies too) go to the root, or to no one once the root is gone; an
        // orphaned zombie is news for the root, and a child's group may lose its link.
        let reaper: Int32 = pid == root || member(root) == nil ? 0 : root
        var orphans: [Int32] = []
        for child in members.indices where members[child].parent == pid {
            orphans.append(members[child].pid)
            members[child].parent = reaper
            // Linux's reparent_leader: an adopted child's end is plain SIGCHLD news.
            members[child].exitSignal = Signal.chld
        }
        // Once per group: SIGCONT has continued the group's stopped members by the time
        // Linux looks at the next child of the same group.
        var groupsLookedAt: [Int32] = []
        for orphan in orphans {
            guard let child = member(orphan), child.processGroup != exiting.processGroup, child.session == exiting.session,
                  !groupsLookedAt.contains(child.processGroup) else { continue }
            groupsLookedAt.append(child.processGroup)
            notifications += hangUpIfOrphaned(group: child.processGroup, session: child.session, ignoring: nil, linkedThrough: nil,
                                              policy: policy)
        }
        for orphan in orphans {
            guard let child = index(orphan) else { continue }
            if reaper == 0 {
                if case .zombie = members[child].state { members.remove(at: child) }
            } else if case .zombie(let childEvent) = members[child].state {
                notifications += notifyParent(of: child, event: childEvent, policy: policy(reaper))
            }
        }
        guard let now = index(pid) else { return notifications }
        if exiting.parent == 0 || member(exiting.parent) == nil {
            // The root (its status goes to Linux through mcexec) or an orphan of a gone
            // root: no one will wait.
            members.remove(at: now)
            return notifications
        }
        notifications += notifyParent(of: now, event: event, policy: policy(exiting.parent))
        return notifications
    }

    /// Linux's do_notify_parent: SIGCHLD (or the clone exit signal) unless the parent
    /// ignores SIGCHLD; reaped at once when SIGCHLD is ignored or SA_NOCLDWAIT is set.
    mutating func notifyParent(of at: Int, event: ChildEvent, policy: ParentPolicy) -> [Notification] {
        let child = members[at]
        var signal = child.exitSignal
        var reap = false
        if signal == Signal.chld, policy.ignoresChildSignal || policy.noChildWait {
            reap = true
            if policy.ignoresChildSignal { signal = 0 }
        }
        if reap { members.remove(at: at) }
        guard signal != 0, child.parent != 0 else { return [] }
        return [Notification(pid: child.parent, signal: signal, about: (child.pid, event))]
    }

    /// `pid` stopped by `signal` (or, with `event` .continued, continued): the parent's
    /// next WUNTRACED / WCONTINUED wait reports it, and SIGCHLD tells it unless
    /// SA_NOCLDSTOP. A continue cancels an unreported stop and the reverse.
    public mutating func change(_ pid: Int32, event: ChildEvent, parentPolicy: ParentPolicy) -> [Notification] {
        guard let at = index(pid) else { return [] }
        switch (members[at].state, event) {
        case (.running, .stopped): members[at].state = .stopped
        case (.stopped, .continued): members[at].state = .running
        default: return []
        }
        members[at].unreportedChange = event
        let parent = members[at].parent
        guard parent != 0, !parentPolicy.noChildStop, !parentPolicy.ignoresChildSignal else { return [] }
        return [Notification(pid: parent, signal: Signal.chld, about: (pid, event))]
    }

    // MARK: orphaned process groups

    /// Linux's kill_orphaned_pgrp: when `group` loses its last member whose parent is in
    /// another group of the same session (POSIX's orphaned process group) and has a
    /// stopped member, every member gets SIGHUP then SIGCONT, so that no stopped job is
    /// left that no shell can continue. `ignoring` is the exiting process, and
    /// `linkedThrough` its parent (the link that goes away), both nil on reparenting.
    /// The members continued tell their parents (CLD_CONTINUED), as any SIGCONT would.
    mutating func hangUpIfOrphaned(group: Int32, session: Int32, ignoring: Int32?, linkedThrough parent: Int32?,
                                   policy: (Int32) -> ParentPolicy) -> [Notification] {
        if let parent {
            // On exit: only when the exiting process was itself a link out of its group.
            guard isLink(parentOf: ignoring ?? 0, parent: parent, group: group, session: session) else { return [] }
        }
        var hasStopped = false
        var recipients: [Int32] = []
        for member in members where member.processGroup == group {
            if case .zombie = member.state { continue }
            if member.pid == ignoring { continue }
            recipients.append(member.pid)
            if isLink(parentOf: member.pid, parent: member.parent, group: group, session: session) { return [] }
            if member.state == .stopped { hasStopped = true }
        }
        guard hasStopped else { return [] }
        var signals = recipients.map { Notification(pid: $0, signal: Signal.hup, about: nil) }
            + recipients.map { Notification(pid: $0, signal: Signal.cont, about: nil) }
        for pid in recipients {
            guard let stopped = member(pid), stopped.state == .stopped else { continue }
            signals += change(pid, event: .continued, parentPolicy: policy(stopped.parent))
        }
        return signals
    }

    /// Whether `pid`'s parent ties `group` to its session: a parent in another group of
    /// the same session. The root's parent is the shell on Linux that ran mcexec,
    /// counted as such a link.
    func isLink(parentOf pid: Int32, parent: Int32, group: Int32, session: Int32) -> Bool {
        if parent == 0 { return pid == root }
        guard let parentMember = member(parent) else { return false }
        if case .zombie = parentMember.state { return false }
        return parentMember.processGroup != group && parentMember.session == session
    }

    // MARK: wait

    public struct WaitReport: Equatable {
        public var pid: Int32
        public var event: ChildEvent
        /// Whether the child is gone (reaped); false under WNOWAIT or for a stop/continue.
        public var reaped: Bool
    }

    public enum WaitOutcome: Equatable {
        case reported(WaitReport)
        /// WNOHANG with children that have nothing to report: wait4 returns 0, waitid
        /// 0 with si_pid 0.
        case nothingYet
        /// Sleep until a child of the waiter changes, then ask again.
        case block
        case failed(Errno)
    }

    /// One wait by `waiter`: the first eligible child (in creation order) with something
    /// `request` asks for is reported and, unless WNOWAIT, consumed. ECHILD when no child
    /// matches at all.
    public mutating func wait(by waiter: Int32, _ request: WaitRequest) -> WaitOutcome {
        guard let waiterMember = member(waiter) else { return .failed(.child) }
        let options = request.options
        var sawEligible = false
        for at in members.indices where members[at].parent == waiter {
            let child = members[at]
            switch request.selector {
            case .any: break
            case .process(let pid): guard child.pid == pid else { continue }
            case .group(let group): guard child.processGroup == (group == 0 ? waiterMember.processGroup : group) else { continue }
            }
            // A clone child (exit signal other than SIGCHLD) only for __WCLONE; __WALL sees both.
            if !options.contains(.all), (child.exitSignal != Signal.chld) != options.contains(.clone) { continue }
            sawEligible = true
            let keep = options.contains(.noWait)
            if case .zombie(let event) = child.state {
                guard options.contains(.exited) else { continue }
                if !keep { members.remove(at: at) }
                return .reported(WaitReport(pid: child.pid, event: event, reaped: !keep))
            }
            if let change = child.unreportedChange {
                let wanted: Bool
                switch change {
                case .stopped: wanted = options.contains(.stopped)
                case .continued: wanted = options.contains(.continued)
                default: wanted = false
                }
                guard wanted else { continue }
                if !keep { members[at].unreportedChange = nil }
                return .reported(WaitReport(pid: child.pid, event: change, reaped: false))
            }
        }
        guard sawEligible else { return .failed(.child) }
        return options.contains(.noHang) ? .nothingYet : .block
    }
}
