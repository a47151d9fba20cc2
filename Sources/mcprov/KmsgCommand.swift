import ArgumentParser
import Foundation

struct KmsgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmsg",
        abstract: "Print the LWK's kernel log (like ihkosctl kmsg).")

    @Option(help: "The OS instance.")
    var instance = 0

    @Flag(help: "Keep printing new lines as the LWK writes them (Ctrl-C to stop).")
    var follow = false

    @Flag(help: "Clear the log after printing it (needs root).")
    var clear = false

    func run() throws {
        let module = try openModule()
        do {
            let device = try module.instance(instance)
            var printed = try device.kernelMessages()
            print(printed, terminator: "")
            if clear { try device.clearKernelMessages() }
            while follow {
                usleep(250_000)
                let text = try device.kernelMessages()
                // The buffer keeps the newest text: print what is beyond what we showed.
                if text.hasPrefix(printed) {
                    print(text.dropFirst(printed.count), terminator: "")
                } else if text != printed {
                    print(text, terminator: "")
                }
                fflush(nil)
                printed = text
            }
        } catch {
            throw error.exit()
        }
    }
}
