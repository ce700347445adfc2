// The libFuzzer entry point of the webp harness: Tests/fuzz/build.sh links it with libFuzzer, ASan and
// the instrumented library; the body is FuzzTargets.webp (Tests/SRTestSupport/FuzzTargets.swift).
import SRTestSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTargets.webp(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
