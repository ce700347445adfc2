import SRSupport

/// Text forms of `sr diagnose`'s activation statistics and error maps (docs/lab.md, "Diagnose").
public enum ActivationReport {
    /// A fixed-width table: one row per layer, then one row per image's error map.
    public static func table(layers: [LayerActivationStats], maps: [ActivationDiagnosis.ErrorMapInfo]) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func num(_ v: Double) -> String { pad(DecimalFormat.fixed(v, 4), 11) }
        var out = pad("layer", 12) + pad("ch", 5) + pad("min", 11) + pad("max", 11) + pad("mean", 11) + pad("std", 11)
            + pad("neg", 9) + "dead\n"
        for l in layers {
            let dead = l.deadChannels.isEmpty ? "0" : "\(l.deadChannels.count) \(list(l.deadChannels))"
            out += pad(l.name, 12) + pad("\(l.channels)", 5) + num(l.min) + num(l.max) + num(l.mean) + num(l.std)
                + pad(DecimalFormat.fixed(l.fractionNegative, 4), 9) + dead + "\n"
        }
        if !maps.isEmpty {
            out += "\n" + pad("image", 24) + pad("|SR-HR|", 10) + pad("|bic-HR|", 10) + pad("scale max", 11) + "error map\n"
            for m in maps {
                out += pad(m.name, 24) + pad(DecimalFormat.fixed(m.meanErrorSR, 3), 10)
                    + pad(DecimalFormat.fixed(m.meanErrorBicubic, 3), 10) + pad(DecimalFormat.fixed(m.scaleMax, 3), 11)
                    + (m.path ?? "-") + "\n"
            }
        }
        return out
    }

    /// One JSON object: `{"layers": [{name, channels, count, min, max, mean, std, fraction_negative,
    /// dead_channels}], "images": [{name, error_map, scale_max, mean_error_sr, mean_error_bicubic}]}`.
    public static func json(layers: [LayerActivationStats], maps: [ActivationDiagnosis.ErrorMapInfo]) -> String {
        let n = JSONText.number
        let ls = layers.map { l in
            "    {\"name\": \(JSONText.string(l.name)), \"channels\": \(l.channels), \"count\": \(l.count), " +
                "\"min\": \(n(l.min)), \"max\": \(n(l.max)), \"mean\": \(n(l.mean)), \"std\": \(n(l.std)), " +
                "\"fraction_negative\": \(n(l.fractionNegative)), \"dead_channels\": \(list(l.deadChannels))}"
        }
        let ms = maps.map { m in
            "    {\"name\": \(JSONText.string(m.name)), \"error_map\": \(m.path.map(JSONText.string) ?? "null"), " +
                "\"scale_max\": \(n(m.scaleMax)), \"mean_error_sr\": \(n(m.meanErrorSR)), " +
                "\"mean_error_bicubic\": \(n(m.meanErrorBicubic))}"
        }
        return "{\n  \"layers\": [\n" + ls.joined(separator: ",\n") + "\n  ],\n  \"images\": [\n"
            + ms.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    private static func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
}
