namespace BoMrl.Meta;

/// <summary>
/// A practical meta-learner (BO-MRL Algorithm 2, MAML-TRPO, ...) driven one meta-iteration at a time by
/// <c>bomrl train</c>. All randomness of iteration k is derived from (seed, k), so restoring the state
/// saved after iteration k−1 and running iteration k gives the same result as an uninterrupted run.
/// </summary>
public interface IMetaLearner
{
    /// <summary>The algorithm's name as configs and test.json spell it (e.g. "bomrl-kl1", "maml-trpo").</summary>
    string Algorithm { get; }

    /// <summary>Everything a checkpoint must hold to continue exactly.</summary>
    MetaLearnerState GetState();

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    void SetState(MetaLearnerState state);

    /// <summary>Runs meta-iteration <paramref name="iteration"/> (0-based) and returns its metrics.</summary>
    IterationMetrics Iterate(int iteration);

    /// <summary>
    /// Meta-test (docs/design.md §5): from the current meta-policy, K adaptation steps on M fresh test tasks, each step on a
    /// fresh batch from the current policy; mean and standard error over tasks of the return after 0..K steps.
    /// <paramref name="afterStep"/>, when given, hears (j, mean return after j steps) as each step completes (progress).
    /// </summary>
    MetaTestResult MetaTest(int steps, int tasks, long seed, Action<int, double>? afterStep = null);
}

/// <summary>
/// Checkpointed learner state: meta-parameters φ, then any optimiser state (empty for TRPO) followed by the learner's
/// own (<see cref="PerTaskMetaLearner"/>'s LearnerState: ProMP's η, BO-MRL's ℓ = log λ when meta-learned), which only
/// the learner reads.
/// </summary>
public sealed record MetaLearnerState(double[] Phi, double[] OptimizerState);

/// <summary>Wall-clock seconds of one meta-iteration, split by phase (paper, Appendix E).</summary>
public sealed record TimeSplit(double Sampling, double InnerAdaptation, double Hypergradient, double MetaUpdate)
{
    /// <summary>Sum of the phases.</summary>
    public double Total => Sampling + InnerAdaptation + Hypergradient + MetaUpdate;
}

/// <summary>
/// Metrics of one meta-iteration: mean pre- and post-adaptation episode return over the meta-batch, KL of the
/// meta-update, whether the line search accepted a step, the CG residual of the hypergradient / natural-gradient
/// solve, whether CG met negative curvature, the time split, and the largest damping δ an eq. (8) solve needed
/// (the configured δ unless some task's H was not positive semi-definite; 0 where no such solve runs), the mean over
/// the meta-batch of KL(π_φ ‖ π_θ') on each task's pre-adaptation states (how far one adaptation moved), the largest
/// ‖∇_θL(θ')‖₂ over tasks of the inner problem (7) at the adapted parameters (0 for a closed-form adaptation), and the
/// λ the adaptations used.
/// </summary>
public sealed record IterationMetrics(
    int Iteration,
    double PreAdaptationReturn,
    double PostAdaptationReturn,
    double Kl,
    bool StepAccepted,
    double CgResidual,
    bool NegativeCurvature,
    TimeSplit Time,
    double HypergradientDamping = 0,
    double InnerKl = 0,
    double InnerGradientNorm = 0,
    double Lambda = 0);

/// <summary>Meta-test curve: mean and standard error over test tasks of the return after 0..K adaptation steps.</summary>
public sealed record MetaTestResult(string Algorithm, double[] ReturnsByStep, double[] StderrByStep);

/// <summary>
/// What <see cref="PerTaskMetaLearner.AdaptTo"/> returns: <see cref="Thetas"/>[j][i] are task i's parameters after j
/// adaptation steps (j = 0: φ), <see cref="Returns"/>[j][i] the mean episode return of the batch collected with them.
/// </summary>
public sealed record AdaptationTrace(double[][][] Thetas, double[][] Returns)
{
    /// <summary>Each task's parameters after the last step.</summary>
    public double[][] Adapted => Thetas[^1];
}
