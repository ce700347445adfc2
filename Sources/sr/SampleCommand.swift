import ArgumentParser
import SRCLI
import SRCore

/// `sr sample`: writes the procedural sample picture the demo and benchmarks use.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a procedural RGB test picture (gradients, zone plate, disks, lines, checkerboard).")

    @Option(name: .shortAndLong, help: "Output PNG path.")
    var output: String

    @Option(parsing: .unconditional, help: "Width in pixels, 1...20000.")
    var width: Int = 320

    @Option(parsing: .unconditional, help: "Height in pixels, 1...20000.")
    var height: Int = 240

    @Option(parsing: .unconditional, help: "Seed for the disk layout, 0...18446744073709551615.")
    var seed: UInt64 = 1

    func validate() throws {
        try OptionCheck.require("--width", width, in: 1...20000)
        try OptionCheck.require("--height", height, in: 1...20000)
    }

    func run() throws {
        Interrupt.install(.deferred, tool: "sr") // the one atomic write is not cut short
        let img = SampleImage.make(width: width, height: height, seed: seed)
        try Interrupt.check("nothing was written")
        try PNGCodec.write(PNGImage(image: img, bitDepth: 8), to: output)
        try Interrupt.check("\(output) had already been written whole")
    }
}
