import CMcosABI
import Testing
@testable import Kernel

@Suite struct FileMapCheckTests {
    typealias F = FileMapCheck.Facts
    static let readOnly = F(fileType: F.regularFile, readable: true, writable: false)
    static let rx = MCOS_PROT_READ | MCOS_PROT_EXEC, rw = MCOS_PROT_READ | MCOS_PROT_WRITE

    static func refusal(_ facts: F, flags: UInt64 = MapFlag.privateMapping, protection: UInt32 = rx,
                        offset: UInt64 = 0, bytes: UInt64 = 4096) -> FileMapCheck.Refusal? {
        do throws(FileMapCheck.Refusal) {
            try FileMapCheck.check(facts, flags: flags, protection: protection, offset: offset, bytes: bytes)
            return nil
        } catch { return error }
    }

    @Test func privateMappingOfARegularFileIsMade() {
        #expect(Self.refusal(Self.readOnly) == nil)
        // private: writes stay the process's, so O_RDONLY with PROT_WRITE is fine (ld.so's .data)
        #expect(Self.refusal(Self.readOnly, protection: Self.rw) == nil)
        #expect(Self.refusal(Self.readOnly, offset: 1 << 40, bytes: 1 << 30) == nil, "past the end of the file is no error")
    }

    @Test func hugePagesOfAFileAreRefusedFirst() {
        #expect(throws: FileMapCheck.Refusal.linux(.inval)) { try FileMapCheck.checkFlags(MapFlag.shared | FileMapCheck.hugeTLB) }
        #expect(throws: Never.self) { try FileMapCheck.checkFlags(MapFlag.shared | MapFlag.privateMapping | FileMapCheck.growsDown) }
    }

    @Test func linuxsErrorsInLinuxsOrder() {
        let writeOnly = F(fileType: F.regularFile, readable: false, writable: true)
        #expect(Self.refusal(writeOnly) == .linux(.acces))
        #expect(Self.refusal(Self.readOnly, flags: MapFlag.shared, protection: Self.rw) == .linux(.acces))
        #expect(Self.refusal(Self.readOnly, flags: 0x0f) == .linux(.inval), "MAP_TYPE neither shared nor private")
        #expect(Self.refusal(Self.readOnly, flags: MapFlag.privateMapping | FileMapCheck.growsDown) == .linux(.inval))
        // file_mmap_ok: a negative offset, or one the length carries past MAX_LFS_FILESIZE
        #expect(Self.refusal(Self.readOnly, offset: 0 &- 4096) == .linux(.overflow))
        #expect(Self.refusal(Self.readOnly, offset: 0x7fff_ffff_ffff_f000, bytes: 8192) == .linux(.overflow))
        // overflow before the access mode, as in do_mmap
        #expect(Self.refusal(writeOnly, offset: 0 &- 4096) == .linux(.overflow))
        let directory = F(fileType: 4, readable: true, writable: false), fifo = F(fileType: 1, readable: true, writable: false)
        #expect(Self.refusal(directory) == .linux(.noDev))
        #expect(Self.refusal(fifo) == .linux(.noDev))
        #expect(Self.refusal(F(fileType: 12, readable: true, writable: true)) == .linux(.noDev), "a socket")
        #expect(Self.refusal(F(fileType: F.regularFile, readable: true, writable: false, noExec: true)) == .linux(.perm))
        #expect(Self.refusal(F(fileType: F.regularFile, readable: true, writable: false, noExec: true), protection: MCOS_PROT_READ) == nil)
    }

    @Test func whatTheLWKDoesNotMapIsSaid() {
        if case .unsupported = Self.refusal(F(fileType: 2, readable: true, writable: true)) {} else { Issue.record("/dev/zero is unsupported") }
        let device = F(fileType: 2, readable: true, writable: true)
        #expect(Self.refusal(device, flags: MapFlag.shared, protection: Self.rw)?.errno == .noDev)
    }

    @Test func aRegularFileMapsSharedOrPrivate() throws {
        let readWrite = F(fileType: F.regularFile, readable: true, writable: true)
        #expect(Self.refusal(readWrite, flags: MapFlag.shared, protection: Self.rw) == nil)
        #expect(Self.refusal(readWrite, flags: MapFlag.sharedValidate) == nil)
        #expect(Self.refusal(Self.readOnly, flags: MapFlag.shared, protection: MCOS_PROT_READ) == nil)
        // what mmap then maps: the file's own pages for both shared types (MappingKind)
        #expect(try MappingKind.of(flags: MapFlag.shared, file: 3, offset: 0).isShared)
        #expect(try MappingKind.of(flags: MapFlag.sharedValidate, file: 3, offset: 0).isShared)
        #expect(try !MappingKind.of(flags: MapFlag.privateMapping, file: 3, offset: 0).isShared)
    }

    @Test func factsTravelAsOneWord() throws {
        let facts = F(fileType: F.regularFile, readable: true, writable: false, noExec: true)
        #expect(try F(answer: facts.answer) == facts)
        #expect(throws: Errno.badf) { try F(answer: -Int64(Errno.badf.rawValue)) }
        #expect(throws: Errno.badf) { try F(answer: -5000) }
    }

    @Test func proxyRequestsAreNeverAProgramsCall() {
        // the x32 bit: a program's call with this number is ENOSYS on the LWK, never offloaded
        #expect(Syscall.route(UInt64(MCOS_PROXY_FILE_FACTS)) == .x32)
        #expect(Syscall.route(UInt64(MCOS_PROXY_FILE_FILL)) == .x32)
    }
}
