/// The release of mcprov and mcexec. `mcprov --version` and `mcexec --version` print it,
/// and `make deb` takes the packages' version from the built mcprov, so the tools and
/// the packages they come in can never disagree.
public enum Release {
    public static let version = "0.2.0"
}
