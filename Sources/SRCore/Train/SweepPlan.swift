import SRSupport
import SRFormats

/// One configuration of a sweep: a name for tables and the `sr train` flags that make it.
package struct SweepConfig: Equatable, Sendable {
    /// "baseline" for the first configuration, else `knob=value` pairs that differ from it.
    package var name: String
    /// The varied knobs as train flags (`--lr 0.001`; a value `on` is a bare flag, `off` leaves it out).
    package var args: [String]
    /// A file-name-safe folder name.
    package var folder: String
}

/// How a sweep combines the knobs' values.
package enum SweepDesign: String, Sendable, CaseIterable {
    /// Every combination of every knob's values.
    case grid
    /// The baseline (every knob at its first value), then each other value of each knob alone.
    case oneAtATime = "one-at-a-time"
}

/// What `sr sweep` runs (docs/lab.md): every combination of the varied knobs' values, each with seeds
/// 1...`seeds` at `steps` steps, on top of the base `sr train` arguments. Any train flag can be varied:
/// knob names are passed through as `--NAME VALUE` without being interpreted here. The first value of
/// every knob is the baseline.
package struct SweepPlan: Equatable, Sendable {
    package var knobs: [(name: String, values: [String])]
    package var seeds: Int
    package var steps: Int
    package var baseArgs: [String]
    /// Grid (default) or one knob at a time.
    package var design: SweepDesign = .grid

    package static func == (a: SweepPlan, b: SweepPlan) -> Bool {
        a.design == b.design && a.seeds == b.seeds && a.steps == b.steps && a.baseArgs == b.baseArgs
            && a.knobs.map(\.name) == b.knobs.map(\.name) && a.knobs.map(\.values) == b.knobs.map(\.values)
    }

    /// Checks names and values. - Throws: `.invalidArgument` naming the bad knob.
    package init(knobs: [(name: String, values: [String])], seeds: Int, steps: Int, baseArgs: [String]) throws {
        guard (1...1000).contains(seeds) else { throw SRError(.invalidArgument, "sweep: seeds must be 1...1000, got \(seeds)") }
        guard steps >= 1 else { throw SRError(.invalidArgument, "sweep: steps must be >= 1, got \(steps)") }
        var seen = Set<String>()
        for k in knobs {
            guard !k.name.isEmpty, k.name.utf8.allSatisfy({ Self.nameByte($0) }) else {
                throw SRError(.invalidArgument, "sweep: knob name '\(k.name)' must be a train flag name (letters, digits, '-')")
            }
            guard !["seed", "steps", "run-dir", "resume"].contains(k.name) else {
                throw SRError(.invalidArgument, "sweep: --\(k.name) is set by the sweep itself and cannot be varied")
            }
            guard seen.insert(k.name).inserted else { throw SRError(.invalidArgument, "sweep: knob '\(k.name)' is varied twice") }
            guard !k.values.isEmpty, k.values.allSatisfy({ !$0.isEmpty }) else {
                throw SRError(.invalidArgument, "sweep: knob '\(k.name)' needs one or more non-empty values")
            }
            guard Set(k.values).count == k.values.count else { throw SRError(.invalidArgument, "sweep: knob '\(k.name)' repeats a value") }
        }
        for a in baseArgs where ["--seed", "--steps", "--run-dir", "--resume"].contains(a) {
            throw SRError(.invalidArgument, "sweep: the base train arguments must not contain \(a) (the sweep sets it)")
        }
        self.knobs = knobs; self.seeds = seeds; self.steps = steps; self.baseArgs = baseArgs
    }

    private static func nameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || (c >= 0x41 && c <= 0x5A)
    }

    /// Parses `--vary NAME=V1,V2` texts.
    package static func parseVary(_ text: String) throws -> (name: String, values: [String]) {
        guard let eq = text.firstIndex(of: "=") else {
            throw SRError(.invalidArgument, "sweep: --vary '\(text)' must be NAME=V1,V2,...")
        }
        var name = String(text[..<eq])
        if name.hasPrefix("--") { name.removeFirst(2) }
        let values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return (name, values)
    }

    /// Parses a JSON plan: `{"seeds": 3, "steps": 500, "vary": {"lr": ["0.002", 0.001]}, "train": ["--data", "p.h5"]}`.
    /// Values may be strings or numbers (kept as written). - Throws: `.format` naming `path` and the member.
    package static func parseJSON(_ text: String, path: String) throws -> SweepPlan {
        let root = try StrictJSON.parse(text, context: "sweep plan", path: path)
        func bad(_ m: String) -> SRError { SRError(.format, "sweep plan: \(m)", path: path) }
        guard case .object(let members) = root else { throw bad("the top level must be an object, got \(root.kindName)") }
        var seeds = 1, steps: Int? = nil, knobs: [(String, [String])] = [], train: [String] = []
        var design = SweepDesign.grid
        for m in members {
            switch m.key {
            case "seeds":
                guard let v = m.value.nonNegativeInteger else { throw bad("\"seeds\" must be a non-negative integer") }
                seeds = v
            case "steps":
                guard let v = m.value.nonNegativeInteger else { throw bad("\"steps\" must be a non-negative integer") }
                steps = v
            case "vary":
                guard case .object(let ks) = m.value else { throw bad("\"vary\" must be an object of knob: [values]") }
                for k in ks {
                    guard case .array(let vs) = k.value else { throw bad("\"vary\".\"\(k.key)\" must be an array, got \(k.value.kindName)") }
                    knobs.append((k.key, try vs.map { v in
                        switch v {
                        case .string(let s): return s
                        case .number(let n): return n
                        default: throw bad("\"vary\".\"\(k.key)\" values must be strings or numbers, got \(v.kindName)")
                        }
                    }))
                }
            case "train":
                guard case .array(let vs) = m.value, vs.allSatisfy({ $0.stringValue != nil }) else {
                    throw bad("\"train\" must be an array of strings (the base sr train arguments)")
                }
                train = vs.compactMap(\.stringValue)
            case "design":
                guard let v = m.value.stringValue, let d = SweepDesign(rawValue: v) else {
                    throw bad("\"design\" must be \"grid\" or \"one-at-a-time\"")
                }
                design = d
            default: throw bad("unknown member \"\(m.key)\" (expected seeds, steps, vary, train, design)")
            }
        }
        guard let steps else { throw bad("\"steps\" is missing") }
        do {
            var plan = try SweepPlan(knobs: knobs, seeds: seeds, steps: steps, baseArgs: train)
            plan.design = design
            return plan
        }
        catch let e as SRError { throw SRError(.format, e.message, path: path) }
    }

    /// The configurations, baseline (all first values) first: every combination of knob values
    /// (grid), or each non-baseline value of each knob with the others at baseline (one at a time).
    package var configs: [SweepConfig] {
        var combos: [[Int]] = [[]]
        switch design {
        case .grid:
            for k in knobs { combos = combos.flatMap { c in (0..<k.values.count).map { c + [$0] } } }
        case .oneAtATime:
            combos = [[Int](repeating: 0, count: knobs.count)]
            for (i, k) in knobs.enumerated() {
                for v in 1..<max(k.values.count, 1) {
                    var c = [Int](repeating: 0, count: knobs.count)
                    c[i] = v
                    combos.append(c)
                }
            }
        }
        return combos.enumerated().map { (index, combo) in
            var args: [String] = [], diff: [String] = []
            for (k, vi) in zip(knobs, combo) {
                let v = k.values[vi]
                switch v {
                case "on": args.append("--" + k.name)
                case "off": break
                default: args += ["--" + k.name, v]
                }
                if vi != 0 { diff.append("\(k.name)=\(v)") }
            }
            let name = diff.isEmpty ? "baseline" : diff.joined(separator: ",")
            let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "=" ? $0 : "_" })
            return SweepConfig(name: name, args: args, folder: String(format3(index)) + "-" + safe)
        }
    }

    /// The `sr train` arguments of one run.
    package func trainArgs(_ c: SweepConfig, seed: Int, runDir: String) -> [String] {
        baseArgs + c.args + ["--seed", String(seed), "--steps", String(steps), "--run-dir", runDir]
    }
}

private func format3(_ i: Int) -> String {
    let s = String(i)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}
