// `import SRCore` gives Swift users the whole core: the layers below, re-exported.
// Bottom to top (docs/architecture.md): SRSupport → SRImage, SRKernels → SRFormats → SRModel →
// SRData, SREval → SRTrain. Each layer is its own target, so the compiler enforces the direction.
@_exported import SRSupport
@_exported import SRImage
@_exported import SRKernels
@_exported import SRFormats
@_exported import SRModel
@_exported import SRData
@_exported import SREval
@_exported import SRTrain
