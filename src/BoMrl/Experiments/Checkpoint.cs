using BoMrl.Meta;

namespace BoMrl.Experiments;

/// <summary>
/// Everything needed to continue a run exactly after <see cref="CompletedIterations"/> meta-iterations: the learner's
/// state and the metrics rows so far (metrics.csv is rewritten from them on resume). IMetaLearner derives all
/// randomness of iteration k from (seed, k), so no generator state is stored.
/// </summary>
/// <param name="CompletedIterations">Meta-iterations done (the next one to run has this 0-based index).</param>
/// <param name="Algorithm">The learner's <see cref="IMetaLearner.Algorithm"/> (checked on resume).</param>
/// <param name="Phi">Meta-parameters φ.</param>
/// <param name="OptimizerState">Outer optimiser state (empty for TRPO).</param>
/// <param name="Metrics">Rows of metrics.csv, one per completed iteration.</param>
/// <param name="LogLambda">ℓ = log λ when λ is meta-learned (null otherwise).</param>
public sealed record Checkpoint(int CompletedIterations, string Algorithm, double[] Phi, double[] OptimizerState, MetricsRow[] Metrics,
    double? LogLambda = null)
{
    /// <summary>A copy of the learner state held.</summary>
    public MetaLearnerState ToState() => new((double[])Phi.Clone(), (double[])OptimizerState.Clone(), LogLambda);
}
