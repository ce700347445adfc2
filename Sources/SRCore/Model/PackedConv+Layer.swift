import SRKernels
import SRSupport
import SRImage
import SRFormats

extension PackedConv {
    /// Packs the weights `params` of the network layer `spec` (shapes already validated by
    /// `DCSCNParameters`).
    convenience init(spec: DCSCNLayerSpec, params: ConvParameters, inputParts: [Int]? = nil) throws {
        try self.init(name: spec.name, k: spec.kernel, cin: spec.inChannels, cout: spec.outChannels,
                      kernel: params.kernel, bias: params.bias, alpha: spec.hasPReLU ? params.alpha : nil,
                      inputParts: inputParts, dilation: spec.dilation)
    }
}
