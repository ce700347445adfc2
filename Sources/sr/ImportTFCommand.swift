import ArgumentParser
import SRCore

/// `sr import-tf PREFIX -o model.safetensors`: converts a reference TensorFlow checkpoint to srcore's weights file.
struct ImportTFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-tf",
        abstract: "Convert a TensorFlow DCSCN checkpoint into an srcore weights file.",
        discussion: """
        Reads the checkpoint's tensor bundle (PREFIX.index and PREFIX.data-00000-of-00001) directly, \
        without TensorFlow, verifying every checksum. The architecture (layer widths, NIN widths, \
        scale, upsampler) is inferred from the variable shapes; Adam slots are dropped.

        Example:
          sr import-tf models/dcscn_L7_F32to8_G1.20_NIN_A24_B8_PS_R1F32.ckpt -o cdcscn_x2.safetensors
        """)

    @Argument(help: "Checkpoint prefix (the path without .index; a path ending in .index is accepted).")
    var prefix: String

    @Option(name: .shortAndLong, help: "Weights file to write: .safetensors, or .h5 for the legacy HDF5 layout (written to a temp file and renamed).")
    var output: String

    func run() throws {
        let p = try TFBundle.importDCSCN(prefix: prefix)
        try WeightsFile.write(p, to: output)
        let c = p.config
        print("imported \(prefix)")
        print("  scale x\(c.scale), feature widths \(c.featureWidths), NIN A\(c.ninA) B\(c.ninB), "
              + "upsampling \(c.upsampleBlocks), \(c.layers.count) convs, \(c.parameterCount) parameters, "
              + "receptive field \(c.receptiveField) LR px")
        print("  wrote \(output)")
    }
}
