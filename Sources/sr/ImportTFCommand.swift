import ArgumentParser
import SRCore

struct ImportTFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import-tf", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("sr import-tf is not implemented yet") }
}
