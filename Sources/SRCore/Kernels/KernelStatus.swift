import CKernels
import SRSupport

/// Turns the status of a CKernels entry point (`srk_status.h`) into an `SRError`.
/// `what` names the layer or operation for the message.
@inline(__always)
package func checkKernelStatus(_ status: Int32, _ what: @autoclosure () -> String) throws {
    guard status != Int32(SRK_OK) else { return }
    try throwKernelStatus(status, what())
}

private func throwKernelStatus(_ status: Int32, _ what: String) throws -> Never {
    switch status {
    case Int32(SRK_ENOMEM):
        throw SRError(.outOfMemory, "\(what): the C kernels could not allocate their scratch")
    case Int32(SRK_EINVAL):
        throw SRError(.internal, "\(what): the C kernels rejected inconsistent arguments")
    default:
        throw SRError(.internal, "\(what): the C kernels returned unknown status \(status)")
    }
}
