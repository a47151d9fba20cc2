/// An OS instance's state as the kernel module reports it: IHK's user-visible states.
/// Written and encoded by name (`running`, `panic`…), as status and plans show them.
public enum InstanceState: String, Equatable, Sendable, Codable {
    case inactive, booting, running, shutdown, panic, hungup, loaded, unknown
}
