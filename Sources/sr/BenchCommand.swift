import ArgumentParser
import SRCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("sr bench is not implemented yet") }
}
