import Testing
@testable import SRCore

/// `sr diagnose`'s pieces on handmade inputs whose answers are known in closed form: the
/// activation statistics of three channels (always negative, constant, a ramp), the hot colour
/// ramp at its knots, the worst-patch sheet layout.
@Suite struct DiagnoseStatsTests {
    /// Channel 0 = -1 - k, channel 1 = 3, channel 2 = k - 2 for pixel k = 0..<4 of image 0 and
    /// k = 4..<8 of image 1 (24 values; the sums are worked out by hand below); B2 is all zero.
    @Test func statisticsOfHandmadeChannels() throws {
        var s = ActivationStatistics()
        for image in 0..<2 {
            var v: [Float] = []
            for k in (image * 4)..<(image * 4 + 4) { v += [Float(-1 - k), 3, Float(k - 2)] }
            try s.add(name: "CNN1", channels: 3, values: v, image: image)
            try s.add(name: "B2", channels: 1, values: [0, 0, 0, 0], image: image)
        }
        let r = s.results
        #expect(r.map(\.name) == ["CNN1", "B2"])
        let l = r[0]
        // channel 0: -1...-8 (sum -36), channel 1: 3 x 8 (24), channel 2: -2...5 (sum 12)
        #expect(l.count == 24 && l.channels == 3)
        #expect(l.min == -8 && l.max == 5)
        #expect(abs(l.mean - 0.0) < 1e-12)
        // sum of squares: (1+4+...+64) + 9*8 + (4+1+0+1+4+9+16+25) = 204 + 72 + 60 = 336
        #expect(abs(l.std - (336.0 / 24).squareRoot()) < 1e-12)
        // negatives: 8 in channel 0, 2 in channel 2
        #expect(abs(l.fractionNegative - 10.0 / 24) < 1e-15)
        #expect(l.deadChannels == [0, 1])
        #expect(r[1].deadChannels == [0] && r[1].std == 0 && r[1].fractionNegative == 0)
        #expect(throws: SRError.self) { try s.add(name: "CNN1", channels: 2, values: [1, 2], image: 1) }
        #expect(!ActivationStatistics.isReported("Concat2") && !ActivationStatistics.isReported("Up-PS/DepthToSpace"))
    }

    @Test func hotRampKnotsAndSharedScale() throws {
        #expect(ErrorHeatMap.colour(0, scaleMax: 9) == (0, 0, 0))
        #expect(ErrorHeatMap.colour(3, scaleMax: 9) == (255, 0, 0))
        #expect(ErrorHeatMap.colour(6, scaleMax: 9) == (255, 255, 0))
        #expect(ErrorHeatMap.colour(9, scaleMax: 9) == (255, 255, 255))
        #expect(ErrorHeatMap.colour(20, scaleMax: 9) == (255, 255, 255))
        let e = ErrorHeatMap.errors(output: [-5, 300, 10], truth: [1, 250, 10])
        #expect(e == [1, 5, 0])
        #expect(ErrorHeatMap.scaleMax([0.2], [0.5]) == 1 && ErrorHeatMap.scaleMax([4], [7]) == 7)
        let pic = try ErrorHeatMap.picture(sr: [0, 7], bicubic: [7, 0], width: 2, height: 1, scaleMax: 7)
        #expect(pic.width == 2 * 2 + ErrorHeatMap.gap && pic.channels == 3)
        #expect(pic[0, 0, 0] == 0 && pic[0, 0, 1] == 255 && pic[2, 0, 1] == 255)   // black, white
        #expect(pic[0, 0, 2] == 255 && pic[1, 0, 2] == 255 && pic[2, 0, 2] == 255) // the white gap
        #expect(pic[0, 0, 2 + ErrorHeatMap.gap] == 255 && pic[0, 0, 3 + ErrorHeatMap.gap] == 0)
        #expect(throws: SRError.self) { try ErrorHeatMap.picture(sr: [0], bicubic: [0, 1], width: 2, height: 1, scaleMax: 1) }
    }

    @Test func sheetPlacesTilesInRankOrder() throws {
        let side = 2
        func patch(_ v: Float) -> PatchDiagnosis {
            PatchDiagnosis(index: 0, loss: 0, source: 0, transform: 0, lrY: 0, lrX: 0, file: "a",
                           bicubic: Array(repeating: v, count: 4), output: Array(repeating: v + 1, count: 4),
                           truth: Array(repeating: 300, count: 4))
        }
        let sheet = try #require(WorstPatchSheet.picture([patch(10), patch(20), patch(30)], side: side, columns: 2))
        for (k, v) in [(0, Float(10)), (1, 20), (2, 30)] {
            for (t, want) in [(0, v), (1, v + 1), (2, Float(255))] {
                let o = WorstPatchSheet.origin(patch: k, tile: t, side: side, columns: 2)
                #expect(sheet[0, o.y + 1, o.x + 1] == want)
            }
        }
        #expect(sheet[0, 0, 0] == 128)
        #expect(WorstPatchSheet.picture([], side: side) == nil)
    }
}
