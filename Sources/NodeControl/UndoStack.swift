/// Steps done so far, each with the step that undoes it. On failure the undos run in
/// reverse order, like the error paths of a kernel driver, so the node ends as it began.
public struct UndoStack {
    public struct Failure: Error, CustomStringConvertible {
        /// The step that failed.
        public var error: ModuleError
        /// What was undone, in the order it was undone.
        public var undone: [String]
        /// Undo steps that failed too: the node is not as it was, and these say where.
        public var leftOver: [ModuleError]

        public var description: String {
            var text = error.description
            text += undone.isEmpty ? "\nnothing had been changed yet." : "\nundone: \(undone.joined(separator: ", "))."
            for problem in leftOver {
                text += "\nCOULD NOT UNDO: \(problem.description)"
            }
            return text
        }
    }

    private var undos: [(what: String, run: () throws(ModuleError) -> Void)] = []

    public init() {}

    /// Runs `step`; on success remembers `undo`, described by `what`.
    public mutating func perform(
        _ step: () throws(ModuleError) -> Void, undo what: String, by undo: @escaping () throws(ModuleError) -> Void
    ) throws(Failure) {
        do {
            try step()
        } catch {
            throw rollback(after: error)
        }
        undos.append((what, undo))
    }

    /// Runs a step that needs no undo of its own; a failure still undoes the others.
    public mutating func perform(_ step: () throws(ModuleError) -> Void) throws(Failure) {
        do {
            try step()
        } catch {
            throw rollback(after: error)
        }
    }

    /// Undoes everything done so far, newest first.
    public mutating func rollback(after error: ModuleError) -> Failure {
        var failure = Failure(error: error, undone: [], leftOver: [])
        while let last = undos.popLast() {
            do {
                try last.run()
                failure.undone.append(last.what)
            } catch {
                failure.leftOver.append(error)
            }
        }
        return failure
    }

    /// Forgets the undos: the steps stay done.
    public mutating func commit() { undos.removeAll() }
}
