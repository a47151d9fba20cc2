import Kernel

/// Why the arguments stop a call.
struct Rejection: Error, Equatable, Sendable {
    enum Reason: Equatable, Sendable {
        /// The argument at this index leads outside the program's memory.
        case outsideProgram(argument: Int)
        /// The argument at this index is one of mcexec's own descriptors (or passes one
        /// on, as SCM_RIGHTS data).
        case ownDescriptor(argument: Int)
        /// A command, request or option mcexec does not pass on.
        case command(UInt64)
        /// A count over what Linux accepts.
        case count(argument: Int)
    }

    var errno: Errno
    var reason: Reason
}

/// Checks the arguments of one call against its rules and prepares what Linux gets.
/// Pointers must lie wholly in the program's memory, [MCOS_USER_START, MCOS_USER_END):
/// everything beyond is mcexec's. NULL and empty buffers pass, since Linux touches
/// nothing there of mcexec's (nothing of mcexec's lies below the range).
struct ArgumentCheck<Memory: ProgramMemory> {
    let arguments: [UInt64]
    let ownDescriptors: Set<Int32>
    let memory: Memory
    private(set) var call: PreparedCall

    /// The most iovecs Linux takes in one call (UIO_MAXIOV), and of control data mcexec
    /// copies to look for descriptors in it (Linux refuses far less: optmem_max).
    static var maximumIovecs: UInt64 { 1024 }
    static var maximumControlBytes: UInt64 { 1 << 20 }

    init(number: UInt32, arguments: [UInt64], ownDescriptors: Set<Int32>, memory: Memory) {
        self.arguments = arguments
        self.ownDescriptors = ownDescriptors
        self.memory = memory
        call = PreparedCall(number: number, arguments: arguments)
    }

    /// Applies `rules` to the arguments from index `first` on.
    mutating func apply(_ rules: [ArgumentRule], from first: Int = 0) throws(Rejection) {
        for (offset, rule) in rules.enumerated() {
            try apply(rule, at: first + offset)
        }
    }

    mutating func apply(_ rule: ArgumentRule, at index: Int) throws(Rejection) {
        let argument = arguments[index]
        switch rule {
        case .value:
            break
        case .descriptor:
            if isOwn(argument) { throw Rejection(errno: .badf, reason: .ownDescriptor(argument: index)) }
        case .bytes(let extent):
            guard let bytes = extent.bytes(arguments), Self.inProgram(argument, bytes: bytes) else { throw outside(index) }
        case .string(let maximum):
            guard string(at: argument, maximum: maximum) else { throw outside(index) }
        case .iovecs(let countIndex):
            let count = arguments[countIndex]
            guard count <= Self.maximumIovecs else { throw Rejection(errno: .inval, reason: .count(argument: countIndex)) }
            guard argument != 0, count > 0 else { return }  // Linux reads nothing, or faults on NULL
            call.arguments[index] = .scratch(call.append(try iovecs(at: argument, count: Int(count), argument: index)))
        case .message(let direction):
            guard argument != 0 else { return }
            guard Self.inProgram(argument, bytes: 56), let header = memory.read(argument, count: 56) else { throw outside(index) }
            let offset = call.append(header)
            try message(at: offset, from: argument, direction, argument: index)
            call.arguments[index] = .scratch(offset)
        case .messages(let countIndex, let direction):
            // sendmmsg takes at most UIO_MAXIOV of them (an unsigned int count), silently;
            // recvmmsg takes as many as it is told. Linux is told the count checked, so
            // that it never walks past the copy into mcexec's memory.
            let count = Int(min(arguments[countIndex] & 0xffff_ffff, Self.maximumIovecs))
            guard argument != 0, count > 0 else { return }
            call.arguments[countIndex] = .value(UInt64(count))
            guard Self.inProgram(argument, bytes: UInt64(count) * 64),
                  let array = memory.read(argument, count: count * 64)
            else { throw outside(index) }
            let base = call.append(array)
            for i in 0..<count {
                let offset = base + i * 64, address = argument + UInt64(i) * 64
                try message(at: offset, from: address, direction, argument: index, entry: i)
                call.copyBack.append(.init(scratch: (offset + 56)..<(offset + 60), address: address + 56, message: i))  // msg_len
            }
            call.arguments[index] = .scratch(base)
        case .embedded(let layout):
            guard argument != 0 else { return }
            guard Self.inProgram(argument, bytes: UInt64(layout.size)),
                  let bytes = memory.read(argument, count: layout.size),
                  Self.inProgram(bytes.word(at: layout.pointerOffset),
                                 bytes: bytes.field(at: layout.lengthOffset, size: layout.lengthBytes))
            else { throw outside(index) }
            let offset = call.append(bytes)
            if layout.writtenBack {
                call.copyBack.append(.init(scratch: offset..<(offset + layout.size), address: argument))
            }
            call.arguments[index] = .scratch(offset)
        }
    }

    /// Whether [address, address + bytes) lies in the program's memory, or is NULL or
    /// empty.
    static func inProgram(_ address: UInt64, bytes: UInt64) -> Bool {
        let start = ProgramLayout.userStart, end = ProgramLayout.userEnd
        return bytes == 0 || address == 0 || (address >= start && address <= end && bytes <= end - address)
    }

    private func isOwn(_ argument: UInt64) -> Bool {
        ownDescriptors.contains(Int32(truncatingIfNeeded: argument))  // an int: the upper half is ignored
    }

    private func outside(_ index: Int) -> Rejection {
        Rejection(errno: .fault, reason: .outsideProgram(argument: index))
    }

    /// A string Linux reads up to `maximum` bytes of: in the program's memory when those
    /// bytes are; otherwise (only a string that starts in the range's last page) when
    /// its NUL comes before the range ends.
    private func string(at address: UInt64, maximum: UInt64) -> Bool {
        let end = ProgramLayout.userEnd, page = ProgramLayout.page
        if address == 0 { return true }
        guard address >= ProgramLayout.userStart, address < end else { return false }
        if maximum <= end - address { return true }
        var at = address
        while at < end {
            let chunk = min(page - at % page, end - at)
            guard let bytes = memory.read(at, count: Int(chunk)) else { return false }
            if bytes.contains(0) { return true }
            at += chunk
        }
        return false
    }

    /// A copy of `struct iovec[count]` at `address` whose every buffer is the program's.
    private func iovecs(at address: UInt64, count: Int, argument: Int) throws(Rejection) -> [UInt8] {
        guard Self.inProgram(address, bytes: UInt64(count) * 16), let array = memory.read(address, count: count * 16) else {
            throw outside(argument)
        }
        for i in 0..<count where !Self.inProgram(array.word(at: i * 16), bytes: array.word(at: i * 16 + 8)) {
            throw outside(argument)
        }
        return array
    }

    /// Checks the `struct msghdr` copied at scratch `offset` from `address`, and points
    /// it at checked copies of its iovecs (and, to send, of its control data). `entry`:
    /// its index in a vector of messages.
    private mutating func message(
        at offset: Int, from address: UInt64, _ direction: MessageDirection, argument: Int, entry: Int? = nil
    ) throws(Rejection) {
        let name = call.scratch.word(at: offset), nameLength = call.scratch.field(at: offset + 8, size: 4)
        let iov = call.scratch.word(at: offset + 16), iovCount = call.scratch.word(at: offset + 24)
        let control = call.scratch.word(at: offset + 32), controlLength = call.scratch.word(at: offset + 40)
        guard Self.inProgram(name, bytes: nameLength), Self.inProgram(control, bytes: controlLength) else { throw outside(argument) }
        guard iovCount <= Self.maximumIovecs else { throw Rejection(errno: .inval, reason: .count(argument: argument)) }
        if iov != 0 && iovCount > 0 {
            call.point(offset + 16, at: call.append(try iovecs(at: iov, count: Int(iovCount), argument: argument)))
        }
        switch direction {
        case .send:
            guard control != 0, controlLength > 0 else { return }
            guard controlLength <= Self.maximumControlBytes else { throw Rejection(errno: .inval, reason: .count(argument: argument)) }
            guard let data = memory.read(control, count: Int(controlLength)) else { throw outside(argument) }
            if ControlMessages.passedDescriptors(data).contains(where: ownDescriptors.contains) {
                throw Rejection(errno: .badf, reason: .ownDescriptor(argument: argument))
            }
            call.point(offset + 32, at: call.append(data))
        case .receive:
            // Linux writes msg_namelen, msg_controllen and msg_flags into the copy.
            call.copyBack.append(.init(scratch: (offset + 8)..<(offset + 12), address: address + 8, message: entry))
            call.copyBack.append(.init(scratch: (offset + 40)..<(offset + 52), address: address + 40, message: entry))
        }
    }
}

/// Control data of a message (`struct cmsghdr` records).
enum ControlMessages {
    /// The descriptors SCM_RIGHTS records would pass. Records are 8-byte aligned:
    /// cmsg_len (8 bytes), cmsg_level, cmsg_type (4 each), then the data.
    static func passedDescriptors(_ data: [UInt8]) -> [Int32] {
        var descriptors: [Int32] = []
        var offset = 0
        while offset + 16 <= data.count {
            let length = data.word(at: offset)
            guard length >= 16, length <= UInt64(data.count - offset) else { break }  // Linux refuses the rest
            let level = data.field(at: offset + 8, size: 4), type = data.field(at: offset + 12, size: 4)
            if level == 1 && type == 1 {  // SOL_SOCKET, SCM_RIGHTS
                for at in stride(from: offset + 16, to: offset + Int(length) - 3, by: 4) {
                    descriptors.append(Int32(truncatingIfNeeded: data.field(at: at, size: 4)))
                }
            }
            offset += (Int(length) + 7) & ~7
        }
        return descriptors
    }
}
