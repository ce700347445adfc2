import ArgumentParser
import SRCLI

/// `sr`: upscale, evaluate, train, import and benchmark DCSCN models.
@main
struct SR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sr",
        abstract: "Single-image super-resolution with DCSCN models.",
        discussion: ExitStatus.helpText + """


            Ctrl-C: upscale stops after the current strip and removes the unfinished output; train \
            stops before the next step (checkpoints already written stay whole, continue with --resume); \
            import-tf and sample finish or skip their one atomic write. A second Ctrl-C exits at once.
            """,
        subcommands: [UpscaleCommand.self, EvalCommand.self, TrainCommand.self, ImportTFCommand.self, ConvertCommand.self, BenchCommand.self, SampleCommand.self, SweepCommand.self, DiagnoseCommand.self]
    )

    /// Errors print as "sr: error: ..." and exit with the status of their code (ExitStatus).
    static func main() {
        CommandLineTool.main(SR.self, tool: "sr")
    }
}
