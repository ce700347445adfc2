import ArgumentParser
import SRCLI
import SRCore

/// `sr diagnose`: per-layer activation statistics, error heat maps and the worst patches of a set
/// (docs/lab.md, "Diagnose").
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Per-layer activation statistics, error heat maps and the worst training patches of a model.",
        discussion: """
        With --images DIR: every PNG is prepared as `sr eval` does (crop, luma, bicubic LR, bicubic \
        upscale) and run through the network; prints min/max/mean/std, the fraction of negative \
        values and the dead channels (≤ 0 or constant on every pixel of every image) of each layer, \
        and with --out writes <image>-error.png: |SR − HR| beside |bicubic − HR| on one colour scale.
        With --data SET.h5: the --worst N patches by the model's loss, traced through /origin and \
        /sources, and with --out a contact sheet worst-patches.png (bicubic / SR / HR per patch).

        Example:
          sr diagnose --model runs/a/model.safetensors --images data/set5 --data x2.h5 --out diag --json diag/stats.json
        """)

    @Option(name: .long, help: "Weights file. Default: the shipped compact model for --scale; compact or best name the shipped models.")
    var model: String?

    @Option(help: "Scale of the shipped model to use when --model is absent.")
    var scale: ShippedScale = .x2

    @Option(name: .long, help: "Folder of HR PNG images (activation statistics and error maps).")
    var images: String?

    @Option(name: .long, help: "A patch set of srprep build (worst patches).")
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: "How many worst patches to report, 1...4096.")
    var worst: Int = 16

    @Flag(name: .long, help: "Rank patches by mean absolute error instead of mean squared error.")
    var l1 = false

    @Option(name: .long, help: "Folder for the error maps and the contact sheet (created).")
    var out: String?

    @Option(name: .long, help: "Write the statistics as JSON to this file.")
    var json: String?

    @Option(name: .long, help: "Folder for every layer's raw float32 output per image (created; see docs/lab.md).")
    var dumpActivations: String?

    @Option(name: .long, parsing: .unconditional, help: "Threads of each patch forward pass (--data), 1...256; the --images passes run on one thread.")
    var threads: Int = 2

    @Option(name: .long, parsing: .unconditional, help: "Largest image accepted, in pixels; 0 = no limit.")
    var maxPixels: Int = PixelLimit.defaultMaxPixels

    func validate() throws {
        guard images != nil || data != nil else {
            throw ValidationError("give --images DIR, --data SET.h5 or both")
        }
        if images == nil, json != nil || dumpActivations != nil {
            throw ValidationError("--json and --dump-activations need --images")
        }
        try OptionCheck.require("--worst", worst, in: 1...4096)
        try OptionCheck.require("--threads", threads, in: 1...256)
        try OptionCheck.require("--max-pixels", maxPixels, in: 0...Int.max)
    }

    func run() throws {
        Interrupt.install(.immediate, tool: "sr")
        let model = try ShippedModel.resolve(self.model, scale: scale.rawValue)
        let network = try DCSCN(parameters: WeightsFile.read(path: model))
        if let folder = images {
            let samples = try Evaluator.prepare(folder: folder, scale: network.config.scale, maxPixels: maxPixels)
            let r = try ActivationDiagnosis.run(network: network, samples: samples, outDir: out, dumpDir: dumpActivations)
            print(ActivationReport.table(layers: r.layers, maps: r.maps), terminator: "")
            if let j = json { try AtomicFile.write(j, text: ActivationReport.json(layers: r.layers, maps: r.maps)) }
        }
        if let set = data {
            let reader = try PatchSetReader(path: set)
            let patches = try WorstPatches.find(network: network, reader: reader, count: worst, l1: l1, threads: threads)
            if images != nil { print("") }
            print("worst \(patches.count) of \(reader.count) patches by \(l1 ? "mean |error|" : "mean squared error") (0...255 scale):")
            print(WorstPatches.table(patches, scale: reader.scale), terminator: "")
            if let d = out, let sheet = WorstPatchSheet.picture(patches, side: reader.hrPatch) {
                try FileSystem.makeDirectories(d)
                try PNGCodec.write(PNGImage(image: sheet), to: d + "/worst-patches.png")
                print("contact sheet: \(d)/worst-patches.png")
            }
        }
    }
}
