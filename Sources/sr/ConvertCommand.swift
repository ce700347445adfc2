import ArgumentParser
import SRCore

/// `sr convert IN -o OUT`: rewrites a weights file in the other layout (docs/weights.md), bit for bit.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a weights file between the HDF5 (legacy) and safetensors layouts.",
        discussion: """
        Reads IN in either layout (told apart by its first bytes) and writes OUT in the layout its \
        name asks for: .safetensors (format_version 2.0, or 3.0 with structural knobs; the layout libsrcore loads) or .h5 / .hdf5 \
        (format_version 1.0). Every float, the config and the provenance are kept exactly; the written \
        file is read back and compared before the command succeeds.

        Example:
          sr convert runs/x2/model.h5 -o dcscn-x2.safetensors
        """)

    @Argument(help: "Weights file to read (.h5 or .safetensors).")
    var input: String

    @Option(name: .shortAndLong, help: "Weights file to write: .safetensors, or .h5/.hdf5 for the legacy layout.")
    var output: String

    func run() throws {
        let safetensors = output.hasSuffix(".safetensors")
        guard safetensors || output.hasSuffix(".h5") || output.hasSuffix(".hdf5") else {
            throw ValidationError("--output must end in .safetensors, .h5 or .hdf5 (it picks the layout)")
        }
        let p = try WeightsFile.read(path: input)
        if safetensors { try WeightsFile.writeSafeTensors(p, to: output) } else { try WeightsFile.writeHDF5(p, to: output) }
        guard try WeightsFile.read(path: output) == p else {
            throw SRError(.internal, "the written file does not read back identically", path: output)
        }
        let c = p.config
        print("converted \(input) -> \(output) (\(safetensors ? "safetensors, format_version \(WeightsFile.safeTensorsFormatVersion)" : "HDF5, format_version \(WeightsFile.formatVersion)"))")
        print("  scale x\(c.scale), \(c.layers.count) convs, \(c.parameterCount) parameters, \(p.provenance.count) provenance entries")
    }
}
