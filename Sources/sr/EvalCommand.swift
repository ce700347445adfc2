import ArgumentParser
import SRCLI
import SRCore
import SRMPI

/// `sr eval --model model.safetensors DIR`: the reference evaluation (PSNR/SSIM on luma, bicubic baseline beside).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model on a folder of HR images, PNG, JPEG or WebP (PSNR/SSIM on luma, bicubic baseline).",
        discussion: """
        For each image (sorted by name): crop to a multiple of the model's scale, take the BT.601 luma, \
        downscale it with Pillow's bicubic (float), upscale that back with bicubic (the baseline and the \
        network's second input), run the network, then round, clip, shave `scale` pixels and compute PSNR \
        and SSIM exactly as the DCSCN reference does.

        Example:
          sr eval --model cdcscn_x2.safetensors data/eval/set5 --ensemble 8
          sr eval --scale 3 data/eval/set5          (the shipped x3 model)
        """)

    @Option(name: .long, help: "Weights file (safetensors or legacy HDF5, e.g. from `sr import-tf`). Default: the shipped compact model for --scale; compact or best name the shipped models.")
    var model: String?

    @Option(help: "Scale of the shipped model to use when --model is absent.")
    var scale: ShippedScale = .x2

    @Argument(help: "Folder of HR images (PNG, JPEG, WebP).")
    var folder: String

    @Option(name: .long, parsing: .unconditional, help: "Self-ensemble passes 1...8: 1 (off) ... 8 (all flips/rotations averaged).")
    var ensemble: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Threads for each forward pass, 1...256.")
    var threads: Int = 2

    @Option(name: .long, parsing: .unconditional, help: "Largest image accepted, in pixels (width x height), checked from the image header; 0 = no limit.")
    var maxPixels: Int = PixelLimit.defaultMaxPixels

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        try OptionCheck.require("--ensemble", ensemble, in: 1...8)
        try OptionCheck.require("--threads", threads, in: 1...256)
        try OptionCheck.require("--max-pixels", maxPixels, in: 0...Int.max)
    }

    func run() throws {
        Interrupt.install(.immediate, tool: "sr") // reads only: Ctrl-C exits 130 at once
        let model = try ShippedModel.resolve(self.model, scale: scale.rawValue)
        let network = try DCSCN(parameters: WeightsFile.read(path: model))
        let name = model.split(separator: "/").last.map(String.init) ?? model
        let world = Communicator.world
        let report = world.size > 1
            ? try evaluateOnRanks(world, network: network, model: name)
            : try Evaluator.evaluate(network: network, folder: folder, ensemble: ensemble, threads: threads, model: name,
                                     maxPixels: maxPixels)
        if world.rank == 0 { print(json ? report.json() : report.table()) }
    }
}
