/// Validation for `sr train` (the `sr eval` procedure on an image folder).
public enum TrainValidator {
    /// A validator closure for `TrainingRun`.
    public static func make(folder: String, threads: Int) throws -> (DCSCNParameters) throws -> TrainValidation {
        throw SRError(.unsupported, "validation during training is not available yet (the evaluator has not landed); evaluate \(folder) with `sr eval` on the run's model.h5")
    }
}
