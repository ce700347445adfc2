import ArgumentParser
import SRCore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("sr eval is not implemented yet") }
}
