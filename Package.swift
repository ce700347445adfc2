// swift-tools-version:6.0
import PackageDescription

// Hot kernels live in the C target CKernels: AVX2+FMA variants chosen at run time
// beside a portable fallback, so the library runs on any x86-64 (see DESIGN.md "Performance").
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
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "CImageIO", dependencies: ["CPNG"], path: "Sources/CImageIO",
                cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "SRCore",
                dependencies: ["CPNG", "CHDF5", "COpenBLAS", "CKernels", "CImageIO"],
                path: "Sources/SRCore",
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "CModels", path: "Sources/CModels"), // builtin weights (#embed) + the srcore.h types
        .target(name: "SRCApi", dependencies: ["SRCore", "CModels"], path: "Sources/SRCApi", exclude: ["exports.map"],
                linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "-soname=libsrcore.so.0",
                                               "-Xlinker", "--version-script=Sources/SRCApi/exports.map"])]),
        .executableTarget(name: "srprep",
                          dependencies: ["SRCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/srprep"),
        .executableTarget(name: "sr",
                          dependencies: ["SRCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/sr"),
        .testTarget(name: "SRCoreTests", dependencies: ["SRCore"], path: "Tests/SRCoreTests"),
    ],
    swiftLanguageModes: [.v5]
)
