import ArgumentParser
import NodeBasics
import NodeControl
import NodeOperations
import Topology

/// What is applied on this node now, or why it cannot be known (printed; exits 1).
func readNodeState(_ module: ModuleClient, store: StateStore = StateStore()) throws -> NodeState {
    let state: NodeState
    do { state = try NodeState.read(module, store: store) } catch { throw error.exit() }
    return state
}

/// The topology to plan with on `live` (`TopologySnapshot.forPlanning`), or why not
/// (printed; exits 1).
func planningTopology(_ live: Topology, state: NodeState? = nil) throws -> Topology {
    let choice: TopologySnapshot.Choice
    do {
        choice = try TopologySnapshot.forPlanning(live, state: state)
    } catch let error as ModuleError {
        throw error.exit()
    } catch let error as StateFileError {
        Console.error("mcprov: \(error)")
        throw ExitCode.failure
    }
    if case .incomplete(_, let missing) = choice {
        Console.error("mcprov: CPUs \(missing) are held by the module but unknown to hwloc, and no topology was saved before they were taken; planning without them")
    }
    return choice.topology
}
