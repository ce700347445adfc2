import ArgumentParser
import SRCore

struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upscale", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("sr upscale is not implemented yet") }
}
