import ArgumentParser
import SRCLI
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// `sr import-tf PREFIX -o model.safetensors`: converts a reference TensorFlow checkpoint to srcore's weights file.
struct ImportTFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-tf",
        abstract: "Convert a TensorFlow DCSCN checkpoint into an srcore weights file.",
        discussion: """
        Reads the checkpoint's tensor bundle (PREFIX.index and PREFIX.data-00000-of-00001) directly, \
        without TensorFlow, verifying every checksum. The architecture (layer widths, NIN widths, \
        scale, upsampler) is inferred from the variable shapes; Adam slots are dropped.

        An existing output is only replaced with --force (exit 73 without it), and never when it is \
        one of the checkpoint's own files (exit 64). Ctrl-C before the write leaves nothing; the \
        write itself (a temporary file renamed) is not cut short.

        Example:
          sr import-tf models/dcscn_L7_F32to8_G1.20_NIN_A24_B8_PS_R1F32.ckpt -o cdcscn_x2.safetensors
        """)

    @Argument(help: "Checkpoint prefix (the path without .index; a path ending in .index is accepted).")
    var prefix: String

    @Option(name: .shortAndLong, help: "Weights file to write: .safetensors, or .h5 for the legacy HDF5 layout (written to a temp file and renamed).")
    var output: String

    @Flag(help: "Replace an existing output file.")
    var force = false

    /// The checkpoint prefix without a trailing ".index".
    var checkpointPrefix: String { prefix.hasSuffix(".index") ? String(prefix.dropLast(6)) : prefix }

    /// Whether `path` is the checkpoint's .index file or one of its .data-* shards (by inode, so
    /// links and other spellings of the same file count).
    func isCheckpointFile(_ path: String) -> Bool {
        let p = checkpointPrefix
        let folder = FileSystem.directoryName(p), base = FileSystem.baseName(p)
        var own = [p + ".index"]
        if let names = try? FileSystem.listFiles(folder) {
            own += names.filter { $0.hasPrefix(base + ".data-") }.map { FileSystem.join(folder, $0) }
        }
        return own.contains { OptionCheck.sameFile($0, path) }
    }

    func run() throws {
        Interrupt.install(.deferred, tool: "sr")
        if FileSystem.exists(output) {
            if isCheckpointFile(output) {
                throw SRError(.invalidArgument, "is a file of the checkpoint being imported; choose another output",
                              path: output)
            }
            if !force { throw SRError(.alreadyExists, "already exists", path: output) }
        }
        let p = try TFBundle.importDCSCN(prefix: checkpointPrefix)
        try Interrupt.check("nothing was written")
        try WeightsFile.write(p, to: output)
        let c = p.config
        print("imported \(prefix)")
        print("  scale x\(c.scale), feature widths \(c.featureWidths), NIN A\(c.ninA) B\(c.ninB), "
              + "upsampling \(c.upsampleBlocks), \(c.layers.count) convs, \(c.parameterCount) parameters, "
              + "receptive field \(c.receptiveField) LR px")
        print("  wrote \(output)")
        try Interrupt.check("\(output) had already been written whole")
    }
}
