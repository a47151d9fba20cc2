/// Process groups and sessions over a `ProcessTree`: setpgid, setsid, getpgid, getsid
/// with Linux's rules and errnos, and whom kill(pid, …) reaches.
extension ProcessTree {
    /// setpgid(pid, pgid) by `caller`: 0 means the caller, and a group id of 0 the
    /// target's own pid. The target must be the caller or a child that has not execed
    /// (EACCES) in the caller's session (EPERM); a session leader cannot move (EPERM);
    /// an existing group to join must be in the caller's session (EPERM).
    public mutating func setProcessGroup(by caller: Int32, pid requestedPid: Int32, group requestedGroup: Int32) throws(Errno) {
        guard let callerMember = member(caller) else { throw .srch }
        let pid = requestedPid == 0 ? caller : requestedPid
        let group = requestedGroup == 0 ? pid : requestedGroup
        guard group >= 0 else { throw .inval }
        guard let at = index(pid) else { throw .srch }
        let target = members[at]
        if target.parent == caller {
            guard target.session == callerMember.session else { throw .perm }
            guard !target.hasExeced else { throw .acces }
        } else {
            guard pid == caller else { throw .srch }
        }
        guard target.session != target.pid else { throw .perm }
        if group != pid {
            guard members.contains(where: { $0.processGroup == group && $0.session == callerMember.session }) else { throw .perm }
        }
        members[at].processGroup = group
    }

    /// setsid by `caller`: a new session and group, both named by its pid. EPERM when a
    /// group with that id already exists (the caller leads one, as after fork+setpgid).
    public mutating func newSession(by caller: Int32) throws(Errno) -> Int32 {
        guard let at = index(caller) else { throw .srch }
        guard !members.contains(where: { $0.processGroup == caller }) else { throw .perm }
        members[at].session = caller
        members[at].processGroup = caller
        return caller
    }

    /// getpgid(pid) / getsid(pid): 0 is the caller; ESRCH for no such process.
    public func processGroup(of pid: Int32, by caller: Int32) throws(Errno) -> Int32 {
        guard let target = member(pid == 0 ? caller : pid) else { throw .srch }
        return target.processGroup
    }

    public func session(of pid: Int32, by caller: Int32) throws(Errno) -> Int32 {
        guard let target = member(pid == 0 ? caller : pid) else { throw .srch }
        return target.session
    }

    /// The processes kill(pid, …) by `sender` signals: pid > 0 that one, 0 the sender's
    /// group, -1 every member but the sender and the root (Linux spares init and the
    /// sender; the LWK's world is the tree), < -1 the group -pid. ESRCH when no process
    /// matches; zombies match (the call succeeds) but are not signalled. INT_MIN is
    /// ESRCH as on Linux. Permission is not checked: every member runs as mcexec's user.
    public func killRecipients(pid: Int32, by sender: Int32) throws(Errno) -> [Int32] {
        guard pid != Int32.min, let senderMember = member(sender) else { throw .srch }
        var matched = false
        var recipients: [Int32] = []
        for target in members {
            let selected: Bool
            if pid > 0 {
                selected = target.pid == pid
            } else if pid == -1 {
                selected = target.pid != sender && target.pid != root
            } else {
                selected = target.processGroup == (pid == 0 ? senderMember.processGroup : -pid)
            }
            guard selected else { continue }
            matched = true
            if !isZombie(target) { recipients.append(target.pid) }
        }
        guard matched else { throw .srch }
        return recipients
    }

    func isZombie(_ member: Member) -> Bool {
        if case .zombie = member.state { return true }
        return false
    }
}
