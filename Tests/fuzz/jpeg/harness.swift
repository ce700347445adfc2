// The libFuzzer entry point of the jpeg harness: Tests/fuzz/build.sh links it with libFuzzer, ASan and
// the instrumented library; the body is FuzzTargets.jpeg (Tests/SRTestSupport/FuzzTargets.swift).
import SRTestSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTargets.jpeg(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
