/// An exception, as the generic kernel tells them apart; each architecture sorts its
/// own exception numbers into these (Arch/<arch>/Logic), and its fault logic decides
/// the rest (the signal, siginfo, the log line).
public enum ExceptionKind: Equatable, Sendable {
    /// Counted apart from the others (EntryCounts): the one an LWK program should
    /// never take, its memory being mapped when it is asked for.
    case pageFault
    /// Its siginfo comes from the FP state, which is read for it alone; spurious
    /// (nothing pending there), it sends nothing.
    case floatingPoint
    case other
}
