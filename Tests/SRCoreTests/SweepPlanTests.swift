import Testing
@testable import SRCore

/// `sr sweep`'s plan: configs are the cartesian product of the knob values with the baseline (all first
/// values) first, flags pass through unchanged, on/off make bare flags; JSON plans equal flag plans.
struct SweepPlanTests {
    @Test func configsAreTheProductBaselineFirst() throws {
        let plan = try SweepPlan(knobs: [("lr", ["0.002", "0.001"]), ("activation", ["prelu", "relu", "tanh"]), ("l1", ["off", "on"])],
                                 seeds: 2, steps: 10, baseArgs: ["--data", "p.h5"])
        let c = plan.configs
        #expect(c.count == 2 * 3 * 2)
        #expect(c[0].name == "baseline" && c[0].args == ["--lr", "0.002", "--activation", "prelu"])
        #expect(Set(c.map(\.name)).count == c.count && Set(c.map(\.folder)).count == c.count)
        let last = c[c.count - 1]
        #expect(last.name == "lr=0.001,activation=tanh,l1=on")
        #expect(last.args == ["--lr", "0.001", "--activation", "tanh", "--l1"])
        #expect(plan.trainArgs(last, seed: 2, runDir: "d") == ["--data", "p.h5"] + last.args + ["--seed", "2", "--steps", "10", "--run-dir", "d"])
    }

    @Test func oneAtATimeVariesEachKnobAloneAgainstTheBaseline() throws {
        var plan = try SweepPlan(knobs: [("lr", ["0.002", "0.001"]), ("activation", ["prelu", "relu", "tanh"]), ("l1", ["off", "on"])],
                                 seeds: 3, steps: 10, baseArgs: [])
        plan.design = .oneAtATime
        let c = plan.configs
        #expect(c.count == 1 + 1 + 2 + 1)   // baseline + the other values, one knob at a time
        #expect(c.map(\.name) == ["baseline", "lr=0.001", "activation=relu", "activation=tanh", "l1=on"])
        #expect(c[2].args == ["--lr", "0.002", "--activation", "relu"])
        #expect(c[4].args == ["--lr", "0.002", "--activation", "prelu", "--l1"])
        #expect(Set(c.map(\.folder)).count == c.count)
        let json = try SweepPlan.parseJSON(#"{"design": "one-at-a-time", "seeds": 3, "steps": 10, "vary": {"lr": ["0.002", "0.001"], "activation": ["prelu", "relu", "tanh"], "l1": ["off", "on"]}}"#, path: "p.json")
        #expect(json == plan)
        #expect(throws: SRError.self) { try SweepPlan.parseJSON(#"{"design": "latin", "steps": 5}"#, path: "p") }
    }

    @Test func jsonPlanEqualsFlagPlan() throws {
        let json = try SweepPlan.parseJSON(#"{"seeds": 3, "steps": 50, "vary": {"lr": ["0.002", 0.001]}, "train": ["--batch", "4"]}"#, path: "p.json")
        let flags = try SweepPlan(knobs: [try SweepPlan.parseVary("--lr=0.002,0.001")], seeds: 3, steps: 50, baseArgs: ["--batch", "4"])
        #expect(json == flags)
    }

    @Test func badPlansAreRefused() {
        #expect(throws: SRError.self) { try SweepPlan.parseJSON(#"{"steps": 5, "seeds": -1}"#, path: "p") }
        #expect(throws: SRError.self) { try SweepPlan.parseJSON(#"[1]"#, path: "p") }
        #expect(throws: SRError.self) { try SweepPlan(knobs: [("lr", [])], seeds: 1, steps: 1, baseArgs: []) }
        #expect(throws: SRError.self) { try SweepPlan(knobs: [("l r", ["1"])], seeds: 1, steps: 1, baseArgs: []) }
        #expect(throws: SRError.self) { try SweepPlan(knobs: [], seeds: 0, steps: 1, baseArgs: []) }
        #expect(throws: SRError.self) { try SweepPlan(knobs: [], seeds: 1, steps: 1, baseArgs: ["--seed", "3"]) }
    }
}
