import ArgumentParser
import SRCore

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("sr train is not implemented yet") }
}
