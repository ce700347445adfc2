// swift-tools-version:6.0
import PackageDescription

// The core is layered: each folder under Sources/SRCore is its own target, and a target may only
// depend on the ones listed below it, so the compiler enforces the direction
// (docs/architecture.md; `make check-layers` verifies the import lines too):
//
//   SRSupport                         errors, atomic files, clock, formatting, locks, RNG, file system
//   SRImage  SRKernels                images and codecs | a plain numeric API over the C kernels
//   SRFormats                         HDF5, protobuf, CRC32C, TF tensor bundle
//   SRModel                           DCSCN config, parameters, weights files, forward, upscaler
//   SRData  SREval                    patch sets | metrics and evaluation
//   SRTrain                           the trainer
//   SRCore                            umbrella: `import SRCore` re-exports all of the above
//
// Hot kernels live in the C target CKernels: AVX2+FMA variants chosen at run time beside a
// portable twin, so the library runs on any x86-64 (docs/performance.md).
//
// Unsafe flags, and why each stays (unsafe flags keep other packages from depending on srcore by
// version; srcore is consumed as libsrcore.so or from a checkout, so that cost is accepted here):
// - CKernels `-O3 -fno-math-errno`: the kernels are compiled at -O3 in every configuration (a
//   debug build of the kernels would make the debug test suite ~10x slower) and `-fno-math-errno`
//   lets expf/sqrtf inline as instructions.
// - CImageIO `-O2`: the bicubic resampler and PSNR/SSIM loops run in every test; -O0 would
//   make the debug suite several times slower.
// - SRCApi's linker flags: `-static-stdlib` (a host needs no Swift runtime), the SONAME and the
//   version script that exports only the sr_* symbols (docs/c-api.md).
let package = Package(
    name: "srcore",
    products: [
        .library(name: "srcore", type: .dynamic, targets: ["SRCApi"]),
        .library(name: "SRCore", targets: ["SRCore"]),
        .executable(name: "srprep", targets: ["srprep"]),
        .executable(name: "sr", targets: ["sr"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries and C code.
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CWebP", path: "Sources/CWebP", pkgConfig: "libwebpmux",
                       providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // Open MPI, for the command-line tools only (SRMPI); libsrcore never links it (docs/scale-out.md).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "CImageIO", dependencies: ["CPNG", "CJPEG", "CWebP"], path: "Sources/CImageIO",
                cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "CModels", path: "Sources/CModels"), // builtin weights (#embed) + the srcore.h types

        // The core, bottom to top.
        .target(name: "SRSupport", path: "Sources/SRCore/Support"),
        .target(name: "SRImage", dependencies: ["SRSupport", "CImageIO"], path: "Sources/SRCore/Image"),
        .target(name: "SRKernels", dependencies: ["SRSupport", "CKernels"], path: "Sources/SRCore/Kernels"),
        .target(name: "SRFormats", dependencies: ["SRSupport", "CHDF5"], path: "Sources/SRCore/Formats"),
        .target(name: "SRModel", dependencies: ["SRSupport", "SRImage", "SRKernels", "SRFormats", "CKernels"],
                path: "Sources/SRCore/Model"),
        .target(name: "SRData", dependencies: ["SRSupport", "SRImage", "SRFormats"], path: "Sources/SRCore/Data"),
        .target(name: "SREval", dependencies: ["SRSupport", "SRImage", "SRFormats", "SRModel", "CImageIO"],
                path: "Sources/SRCore/Eval"),
        .target(name: "SRTrain",
                dependencies: ["SRSupport", "SRImage", "SRKernels", "SRFormats", "SRModel", "SRData", "SREval",
                               "CKernels", "COpenBLAS"],
                path: "Sources/SRCore/Train"),
        .target(name: "SRCore",
                dependencies: ["SRSupport", "SRImage", "SRKernels", "SRFormats", "SRModel", "SRData", "SREval", "SRTrain"],
                path: "Sources/SRCore/Umbrella"),

        // The C API and the command-line tools.
        .target(name: "SRCApi", dependencies: ["SRCore", "CModels"], path: "Sources/SRCApi", exclude: ["exports.map"],
                linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "-soname=libsrcore.so.0",
                                               "-Xlinker", "--version-script=Sources/SRCApi/exports.map"])]),
        // SRCLI: what sr and srprep share (exit statuses, error reporting, Ctrl-C handling, option checks).
        .target(name: "SRCLI", dependencies: ["SRCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                path: "Sources/SRCLI"),
        // SRMPI: `mpirun -np N sr ...` / `srprep build` (a single rank outside mpirun).
        .target(name: "SRMPI", dependencies: ["SRCore", "CMPI"], path: "Sources/SRMPI"),
        .executableTarget(name: "srprep",
                          dependencies: ["SRCore", "SRCLI", "SRMPI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/srprep"),
        .executableTarget(name: "sr",
                          dependencies: ["SRCore", "SRCLI", "SRMPI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/sr"),

        // Tests: shared helpers in their own target, then the tests.
        .target(name: "SRTestSupport", dependencies: ["SRCore", "SRKernels", "CImageIO", "CKernels"], path: "Tests/SRTestSupport"),
        .testTarget(name: "SRCoreTests",
                    dependencies: ["SRCore", "SRTestSupport", "CKernels", "CHDF5"],
                    path: "Tests/SRCoreTests"),
    ],
    swiftLanguageModes: [.v6]
)
