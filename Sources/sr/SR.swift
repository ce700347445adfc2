import ArgumentParser

/// `sr`: upscale, evaluate, train, import and benchmark DCSCN models.
@main
struct SR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sr",
        abstract: "Single-image super-resolution with DCSCN models.",
        subcommands: [UpscaleCommand.self, EvalCommand.self, TrainCommand.self, ImportTFCommand.self, ConvertCommand.self, BenchCommand.self, SampleCommand.self]
    )
}
