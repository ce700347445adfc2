import ArgumentParser
import SRCore

// The fixed-choice options of sr: parsed (and listed in --help) by swift-argument-parser.

/// `sr upscale --scale`: the scales of the shipped models (Models/dcscn-x<scale>.safetensors).
enum ShippedScale: Int, CaseIterable, ExpressibleByArgument {
    case x2 = 2, x3 = 3, x4 = 4
}

/// `sr upscale --bit-depth`.
enum OutputBitDepth: Int, CaseIterable, ExpressibleByArgument {
    case eight = 8, sixteen = 16
}

/// `sr upscale --format`.
enum OutputFormatChoice: String, CaseIterable, ExpressibleByArgument {
    case png, jpg, webp

    /// The library's format.
    var imageFormat: ImageFormat {
        switch self {
        case .png: return .png
        case .jpg: return .jpeg
        case .webp: return .webp
        }
    }
}

/// `sr train --schedule`.
enum ScheduleKind: String, CaseIterable, ExpressibleByArgument {
    /// --lr, multiplied by --decay every --decay-epochs epochs until below --end-lr.
    case step
    /// Linear warm-up over --warmup steps to --lr, then a cosine down to --end-lr at the last step.
    case cosine
    /// --lr throughout (needs --steps or --epochs).
    case constant
}

/// `sr bench --builtin`.
enum BuiltinModel: String, CaseIterable, ExpressibleByArgument {
    /// c-DCSCN x2 (L7 F32->8, A24 B8).
    case compact = "c-DCSCN"
    /// The default L12 F196->48 x2 model.
    case l12 = "L12"
}

/// `sr sweep --design`.
enum SweepDesignChoice: String, CaseIterable, ExpressibleByArgument {
    case grid
    case oneAtATime = "one-at-a-time"

    var design: SweepDesign { self == .grid ? .grid : .oneAtATime }
}
