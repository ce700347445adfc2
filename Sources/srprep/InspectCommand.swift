import ArgumentParser
import SRCLI
import SRCore
#if canImport(Glibc)
import Glibc
#endif

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a patch set's attributes, counts, value ranges and sources; optionally write a contact sheet.")

    @Argument(help: "The patch set (.h5).") var file: String
    @Option(help: "Write a PNG contact sheet of sample LR/HR pairs (LR enlarged beside its HR).") var sheet: String?
    @Option(parsing: .unconditional, help: "Sample pairs on the sheet, 1...1024.") var pairs: Int = 16
    @Option(parsing: .unconditional, help: "Sources listed, 0...1000000 (all with --all-sources).") var listSources: Int = 10
    @Flag(help: "List every source file.") var allSources = false

    func validate() throws {
        try OptionCheck.require("--pairs", pairs, in: 1...1024)
        try OptionCheck.require("--list-sources", listSources, in: 0...1_000_000)
    }

    func run() throws {
        Interrupt.install(.immediate, tool: "srprep") // reading only, until the sheet is written
        let s = try PatchSetInspector.summarize(path: file)
        print("\(file): \(s.info.count) patches, LR \(s.info.lrPatch)x\(s.info.lrPatch), HR \(s.info.hrPatch)x\(s.info.hrPatch), x\(s.info.scale), \(s.info.dtype.rawValue)")
        print("attributes:")
        for (name, value) in s.attributes { print("  \(name) = \(value)") }
        print("values (0..1 scale):")
        print("  lr  min \(s.lr.min)  max \(s.lr.max)  mean \(s.lr.mean)")
        print("  hr  min \(s.hr.min)  max \(s.hr.max)  mean \(s.hr.mean)")
        print("patches per transform: " + s.perTransform.keys.sorted().map { "\($0): \(s.perTransform[$0]!)" }.joined(separator: ", "))
        print("sources: \(s.sources.count) listed, \(s.sourcesUsed) with patches")
        let shown = allSources ? s.sources.count : min(listSources, s.sources.count)
        for (i, name) in s.sources.prefix(shown).enumerated() { print("  [\(i)] \(name)") }
        if shown < s.sources.count { print("  ... \(s.sources.count - shown) more (--all-sources)") }
        if let sheet {
            let image = try PatchSetInspector.contactSheet(path: file, pairs: pairs)
            // The sheet is written to a temporary file and renamed: let a Ctrl-C wait for that.
            Interrupt.setMode(.deferred)
            try PNGCodec.write(PNGImage(image: image, bitDepth: 8), to: sheet)
            print("wrote \(sheet): \(image.width)x\(image.height), \(min(pairs, s.info.count)) LR|HR pairs")
            try Interrupt.check("\(sheet) was written whole")
        }
    }
}
