import ArgumentParser
import SRCore

/// `sr sample`: writes the procedural sample picture the demo and benchmarks use.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a procedural RGB test picture (gradients, zone plate, disks, lines, checkerboard).")

    @Option(name: .shortAndLong, help: "Output PNG path.")
    var output: String

    @Option(help: "Width in pixels.")
    var width: Int = 320

    @Option(help: "Height in pixels.")
    var height: Int = 240

    @Option(help: "Seed for the disk layout.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...20000).contains(width), (1...20000).contains(height) else {
            throw ValidationError("width and height must be in 1...20000")
        }
    }

    func run() throws {
        let img = SampleImage.make(width: width, height: height, seed: seed)
        try PNGCodec.write(PNGImage(image: img, bitDepth: 8), to: output)
    }
}
