import Kernel

/// The commands mcexec passes on for the calls whose meaning depends on one (`CallRule
/// .commands`): those programs use, with what each makes of the arguments after it.
/// A command not here gets what Linux answers for one it does not know.
enum CommandTables {
    private static let fd = ArgumentRule.descriptor, v = ArgumentRule.value

    /// fcntl(fd, cmd, arg).
    static let fcntl = CommandTable(
        prefix: [fd, v], selector: .argument(1, mask: 0xffff_ffff),
        commands: [
            0: [v], 1: [v], 2: [v], 3: [v], 4: [v],  // F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL
            5: [.fixed(32)], 6: [.fixed(32)], 7: [.fixed(32)],  // F_GETLK, F_SETLK, F_SETLKW: struct flock
            8: [v], 9: [v], 10: [v], 11: [v],  // F_SETOWN, F_GETOWN, F_SETSIG, F_GETSIG
            15: [.fixed(8)], 16: [.fixed(8)], 17: [.fixed(8)],  // F_SETOWN_EX, F_GETOWN_EX, F_GETOWNER_UIDS
            36: [.fixed(32)], 37: [.fixed(32)], 38: [.fixed(32)],  // F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW
            1024: [v], 1025: [v], 1026: [v],  // F_SETLEASE, F_GETLEASE, F_NOTIFY
            1030: [v], 1031: [v], 1032: [v], 1033: [v], 1034: [v],  // F_DUPFD_CLOEXEC, pipe sizes, seals
            1035: [.fixed(8)], 1036: [.fixed(8)], 1037: [.fixed(8)], 1038: [.fixed(8)],  // read/write hints
        ],
        otherwise: .inval)

    /// ioctl(fd, request, arg): terminals, sizes of files and block devices, and the
    /// socket and interface queries. A driver's own requests can carry pointers to
    /// anything, so only these are passed on; Linux says ENOTTY for one a file does not know.
    static let ioctl: CommandTable = {
        var requests: [UInt64: [ArgumentRule]] = [:]
        for request: UInt64 in [
            0x5409, 0x540a, 0x540b, 0x540c, 0x540d, 0x540e,  // TCSBRK, TCXONC, TCFLSH, TIOCEXCL, TIOCNXCL, TIOCSCTTY
            0x5422, 0x5425, 0x5427, 0x5428,  // TIOCNOTTY, TCSBRKP, TIOCSBRK, TIOCCBRK
            0x4004_5436, 0x5441, 0x5450, 0x5451,  // TIOCSIG, TIOCGPTPEER, FIONCLEX, FIOCLEX
        ] {
            requests[request] = [v]
        }
        let sizes: [UInt64: UInt64] = [
            0x5401: 36, 0x5402: 36, 0x5403: 36, 0x5404: 36,  // TCGETS, TCSETS, TCSETSW, TCSETSF: struct termios
            0x5405: 18, 0x5406: 18, 0x5407: 18, 0x5408: 18,  // TCGETA, TCSETA, TCSETAW, TCSETAF: struct termio
            0x802c_542a: 44, 0x402c_542b: 44, 0x402c_542c: 44, 0x402c_542d: 44,  // TCGETS2 … TCSETSF2
            0x5413: 8, 0x5414: 8,  // TIOCGWINSZ, TIOCSWINSZ
            0x540f: 4, 0x5410: 4, 0x5411: 4, 0x5429: 4,  // TIOCGPGRP, TIOCSPGRP, TIOCOUTQ, TIOCGSID
            0x5415: 4, 0x5416: 4, 0x5417: 4, 0x5418: 4,  // TIOCMGET, TIOCMBIS, TIOCMBIC, TIOCMSET
            0x541b: 4, 0x5420: 4, 0x5421: 4, 0x5424: 4, 0x5452: 4,  // FIONREAD, TIOCPKT, FIONBIO, TIOCGETD, FIOASYNC
            0x8004_5430: 4, 0x4004_5431: 4, 0x8004_5432: 4,  // TIOCGPTN, TIOCSPTLCK, TIOCGDEV
            0x8004_5438: 4, 0x8004_5439: 4, 0x8004_5440: 4,  // TIOCGPKT, TIOCGPTLCK, TIOCGEXCL
            0x5460: 8,  // FIOQSIZE
            0x2: 4, 0x8008_6601: 8, 0x4008_6602: 8, 0x8008_7601: 8,  // FIGETBSZ, FS_IOC_GETFLAGS, _SETFLAGS, _GETVERSION
            0x8008_1272: 8, 0x1268: 4, 0x1260: 8, 0x127b: 4, 0x8008_1270: 8,  // BLKGETSIZE64, BLKSSZGET, BLKGETSIZE, BLKPBSZGET, BLKBSZGET
            0x8901: 4, 0x8902: 4, 0x8903: 4, 0x8904: 4, 0x8905: 4,  // FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP, SIOCATMARK
            0x8906: 16, 0x8907: 16, 0x894b: 4,  // SIOCGSTAMP, SIOCGSTAMPNS, SIOCOUTQNSD
            // SIOCGIFNAME, FLAGS, ADDR, DSTADDR, BRDADDR, NETMASK, METRIC, MTU, HWADDR, INDEX, TXQLEN: struct ifreq
            0x8910: 40, 0x8913: 40, 0x8915: 40, 0x8917: 40, 0x8919: 40, 0x891b: 40,
            0x891d: 40, 0x8921: 40, 0x8927: 40, 0x8933: 40, 0x8942: 40,
        ]
        for (request, size) in sizes { requests[request] = [.fixed(size)] }
        // SIOCGIFCONF: struct ifconf { int ifc_len; char *ifc_buf; }; Linux updates ifc_len.
        requests[0x8912] = [.embedded(EmbeddedBuffer(size: 16, pointerOffset: 8, lengthOffset: 0, lengthBytes: 4, writtenBack: true))]
        return CommandTable(prefix: [fd, v], selector: .argument(1, mask: 0xffff_ffff), commands: requests, otherwise: .noTTY)
    }()

    /// prctl(option, …): what a program asks about itself, names, and giving up
    /// privileges. Refused, because they would change how mcexec itself runs: seccomp
    /// filters, the TSC, timer slack, THP, the memory map (PR_SET_MM, PR_SET_VMA), who
    /// may trace it, dumpability, syscall user dispatch, core scheduling, MDWE.
    static let prctl = CommandTable(
        prefix: [v], selector: .argument(0, mask: 0xffff_ffff),
        commands: [
            1: [v], 2: [.fixed(4)],  // PR_SET_PDEATHSIG, PR_GET_PDEATHSIG
            3: [], 7: [], 8: [v],  // PR_GET_DUMPABLE, PR_GET_KEEPCAPS, PR_SET_KEEPCAPS
            15: [.string(maximum: 16)], 16: [.fixed(16)],  // PR_SET_NAME, PR_GET_NAME
            21: [], 23: [v], 24: [v], 25: [.fixed(4)],  // PR_GET_SECCOMP, PR_CAPBSET_READ, _DROP, PR_GET_TSC
            27: [], 28: [v], 30: [],  // PR_GET_SECUREBITS, PR_SET_SECUREBITS, PR_GET_TIMERSLACK
            36: [v], 37: [.fixed(4)],  // PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER
            38: [v], 39: [], 42: [],  // PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS, PR_GET_THP_DISABLE
            47: [v, v], 52: [v],  // PR_CAP_AMBIENT, PR_GET_SPECULATION_CTRL
        ],
        otherwise: .inval)

    /// personality(persona): only the query (0xffffffff); a new persona would change
    /// how Linux maps mcexec's own memory (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE…).
    static let personality = CommandTable(
        prefix: [v], selector: .argument(0, mask: 0xffff_ffff), commands: [0xffff_ffff: []], otherwise: .inval)

    /// futex(uaddr, op, val, timeout or val2, uaddr2, val3): the fourth argument is a
    /// pointer for the waits and a number for the requeues.
    static let futex = CommandTable(
        prefix: [.fixed(4), v], selector: .argument(1, mask: 0xffff_fe7f),  // without PRIVATE, CLOCK_REALTIME
        commands: [
            0: [v, .fixed(16)], 1: [v],  // WAIT, WAKE
            3: [v, v, .fixed(4)], 4: [v, v, .fixed(4)], 5: [v, v, .fixed(4)],  // REQUEUE, CMP_REQUEUE, WAKE_OP
            6: [v, .fixed(16)], 7: [], 8: [],  // LOCK_PI, UNLOCK_PI, TRYLOCK_PI
            9: [v, .fixed(16)], 10: [v],  // WAIT_BITSET, WAKE_BITSET
            11: [v, .fixed(16), .fixed(4)], 12: [v, v, .fixed(4)], 13: [v, .fixed(16)],  // WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2
        ],
        otherwise: .noSys)

    /// semctl(semid, semnum, cmd, arg), IPC_64 masked. GETALL and SETALL are refused:
    /// their array is as long as the set, which the arguments do not say.
    static let semctl = CommandTable(
        prefix: [v, v, v], selector: .argument(2, mask: 0xffff_feff),
        commands: [
            0: [v], 1: [.fixed(104)], 2: [.fixed(104)], 3: [.fixed(40)],  // IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO
            11: [v], 12: [v], 14: [v], 15: [v], 16: [v],  // GETPID, GETVAL, GETNCNT, GETZCNT, SETVAL
            18: [.fixed(104)], 19: [.fixed(40)], 20: [.fixed(104)],  // SEM_STAT, SEM_INFO, SEM_STAT_ANY
        ],
        otherwise: .inval)

    /// msgctl(msqid, cmd, buf), IPC_64 masked.
    static let msgctl = CommandTable(
        prefix: [v, v], selector: .argument(1, mask: 0xffff_feff),
        commands: [
            0: [v], 1: [.fixed(120)], 2: [.fixed(120)], 3: [.fixed(32)],  // IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO
            11: [.fixed(120)], 12: [.fixed(32)], 13: [.fixed(120)],  // MSG_STAT, MSG_INFO, MSG_STAT_ANY
        ],
        otherwise: .inval)

    /// shmctl(shmid, cmd, buf), IPC_64 masked: struct shmid64_ds is 112 bytes, shminfo64
    /// 72, shm_info 48. SHM_LOCK and SHM_UNLOCK keep Linux's pages of the segment in
    /// memory or not; the LWK's pins hold them anyway while it maps them.
    static let shmctl = CommandTable(
        prefix: [v, v], selector: .argument(1, mask: 0xffff_feff),
        commands: [
            0: [v], 1: [.fixed(112)], 2: [.fixed(112)], 3: [.fixed(72)],  // IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO
            11: [v], 12: [v], 13: [.fixed(112)], 14: [.fixed(48)], 15: [.fixed(112)],  // SHM_LOCK, _UNLOCK, _STAT, _INFO, _STAT_ANY
        ],
        otherwise: .inval)

    /// Socket options passed on, by level and name, with the most bytes Linux reads or
    /// writes of each. Options whose value points elsewhere (SO_ATTACH_FILTER's program,
    /// TCP_ZEROCOPY_RECEIVE's addresses) or has no bound (SO_PEERSEC) are not here.
    static let socketOptions: [UInt64: UInt64] = {
        var options: [UInt64: UInt64] = [:]
        func add(_ level: UInt64, _ sizes: [UInt64: UInt64]) {
            for (name, size) in sizes { options[CommandTable.socketOption(level: level, name: name)] = size }
        }
        let int: UInt64 = 4
        add(1, [  // SOL_SOCKET
            1: int, 2: int, 3: int, 4: int, 5: int, 6: int, 7: int, 8: int, 9: int, 10: int, 11: int, 12: int,
            13: 8, 14: int, 15: int, 16: int, 17: 12, 18: int, 19: int,  // SO_LINGER, SO_PEERCRED
            20: 16, 21: 16, 25: 16,  // SO_RCVTIMEO_OLD, SO_SNDTIMEO_OLD, SO_BINDTODEVICE (IFNAMSIZ)
            29: int, 30: int, 32: int, 33: int, 34: int, 35: int, 36: int, 38: int, 39: int, 40: int,
            46: int, 49: int, 63: int, 64: int, 66: 16, 67: 16,  // …, SO_RCVTIMEO_NEW, SO_SNDTIMEO_NEW
        ])
        add(6, [  // IPPROTO_TCP; struct tcp_info grows with Linux, 512 bytes bound it
            1: int, 2: int, 3: int, 4: int, 5: int, 6: int, 7: int, 8: int, 9: int, 10: int,
            11: 512, 12: int, 13: 16, 18: int, 23: int, 25: int, 30: int,
        ])
        add(0, [  // IPPROTO_IP; struct ip_mreqn is 12 bytes
            1: int, 2: int, 3: int, 6: int, 8: int, 10: int, 11: int, 12: int, 13: int, 14: int, 15: int,
            19: int, 24: int, 32: 12, 33: int, 34: int, 35: 12, 36: 12, 49: int,
        ])
        add(41, [  // IPPROTO_IPV6; struct ipv6_mreq is 20 bytes
            16: int, 17: int, 18: int, 19: int, 20: 20, 21: 20, 23: int, 24: int, 25: int, 26: int,
            49: int, 66: int, 67: int,
        ])
        add(17, [1: int, 103: int, 104: int])  // IPPROTO_UDP: UDP_CORK, UDP_SEGMENT, UDP_GRO
        add(270, [1: int, 2: int, 3: int, 10: int, 11: int, 12: int])  // SOL_NETLINK
        return options
    }()

    /// setsockopt(fd, level, name, value, length): Linux reads at most the option's size.
    static let setsockopt = CommandTable(
        prefix: [fd, v, v], selector: .socketOption,
        commands: socketOptions.mapValues { [.bytes(.argumentAtMost(4, maximum: $0)), v] },
        otherwise: .noProtoOpt)

    /// getsockopt(fd, level, name, value, &length): Linux writes at most the option's
    /// size, and the length back.
    static let getsockopt = CommandTable(
        prefix: [fd, v, v], selector: .socketOption,
        commands: socketOptions.mapValues { [.fixed($0), .fixed(4)] },
        otherwise: .noProtoOpt)
}
