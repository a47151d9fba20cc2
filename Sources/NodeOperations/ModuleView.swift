import NodeBasics
import NodeControl
import Provisioning

extension ModuleClient {
    /// The module's holdings as plain values for the reconciler.
    public func view() throws(ModuleError) -> NodeView {
        let info = try info()
        let cpus = try reservedCPUs()
        let chunks = try memoryChunks()
        var instances: [NodeView.Instance] = []
        for index in 0..<info.maxInstances {
            guard let status = try? instance(index).status() else { continue }
            var memory: [Int: UInt64] = [:]
            for chunk in chunks where chunk.instance == index { memory[chunk.numaNode, default: 0] += chunk.bytes }
            instances.append(NodeView.Instance(
                index: index, state: status.state,
                cpus: CPUSet(cpus.filter { $0.instance == index }.map(\.cpu)), memory: memory))
        }
        var pool: [Int: UInt64] = [:]
        for chunk in chunks where chunk.instance == nil { pool[chunk.numaNode, default: 0] += chunk.bytes }
        return NodeView(poolCPUs: CPUSet(cpus.filter { $0.instance == nil }.map(\.cpu)), poolMemory: pool, instances: instances)
    }
}
