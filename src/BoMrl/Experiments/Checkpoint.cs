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

/// <summary>Checks a checkpoint read from disk field by field, so a corrupted file is refused with the field named.</summary>
internal static class CheckpointCheck
{
    /// <summary>Throws <see cref="InvalidDataException"/> "PATH: field 'phi[3]' is NaN" (or missing, inconsistent).</summary>
    public static void Validate(Checkpoint c, string path)
    {
        Require(c.Algorithm, "algorithm", path);
        Require(c.Phi, "phi", path);
        Require(c.OptimizerState, "optimizer_state", path);
        Require(c.Metrics, "metrics", path);
        if (c.Phi.Length == 0)
        {
            throw new InvalidDataException($"{path}: field 'phi' is empty");
        }

        Finite(c.Phi, "phi", path);
        Finite(c.OptimizerState, "optimizer_state", path);
        if (c.CompletedIterations < 0)
        {
            throw new InvalidDataException($"{path}: field 'completed_iterations' is negative ({c.CompletedIterations})");
        }

        if (c.Metrics.Length != c.CompletedIterations)
        {
            throw new InvalidDataException(
                $"{path}: field 'metrics' has {c.Metrics.Length} rows but 'completed_iterations' is {c.CompletedIterations}");
        }

        for (int i = 0; i < c.Metrics.Length; i++)
        {
            if (c.Metrics[i] is null || !double.IsFinite(c.Metrics[i].PreReturn) || !double.IsFinite(c.Metrics[i].PostReturn))
            {
                throw new InvalidDataException($"{path}: field 'metrics[{i}]' is missing or has a non-finite return");
            }
        }
    }

    private static void Require(object? value, string field, string path)
    {
        if (value is null)
        {
            throw new InvalidDataException($"{path}: field '{field}' is missing");
        }
    }

    private static void Finite(double[] values, string field, string path)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidDataException(
                    $"{path}: field '{field}[{i}]' is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}, not a finite number");
            }
        }
    }
}
