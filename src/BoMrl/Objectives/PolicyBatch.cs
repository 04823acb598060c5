using BoMrl.Numerics;
using BoMrl.Sampling;

namespace BoMrl.Objectives;

/// <summary>How the rows of a batch are weighted in the averages 1/|B| Σ of the objectives.</summary>
public enum RowWeighting
{
    /// <summary>Every valid step weighs 1/|B| (eq. (7)).</summary>
    PerStep,

    /// <summary>
    /// Mean over each episode's valid steps, then mean over episodes (pytorch-maml-rl's weighted_mean over time
    /// followed by the mean over episodes); equal to PerStep when all episodes have the same length.
    /// </summary>
    PerEpisode,
}

/// <summary>
/// The valid steps of one task's trajectory batch as rows (s, a, Â, w) for the batched objectives: observations and
/// actions feature-major (size × rows, see <see cref="Dense"/>), advantages and weights per row (Σ w = 1).
/// Built once per collected batch; the objectives never look at padding.
/// </summary>
public sealed class PolicyBatch
{
    /// <summary>Wraps prepared feature-major arrays (used by tests and by <see cref="FromTrajectories"/>).</summary>
    public PolicyBatch(int rows, int observationSize, int actionSize, double[] observations, double[] actions,
        double[] advantages, double[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNotEqual(observations.Length, rows * observationSize, nameof(observations));
        ArgumentOutOfRangeException.ThrowIfNotEqual(actions.Length, rows * actionSize, nameof(actions));
        ArgumentOutOfRangeException.ThrowIfNotEqual(advantages.Length, rows, nameof(advantages));
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Length, rows, nameof(weights));
        Rows = rows;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        Observations = observations;
        Actions = actions;
        Advantages = advantages;
        Weights = weights;
    }

    /// <summary>Number of rows |B|.</summary>
    public int Rows { get; }

    /// <summary>Observation length.</summary>
    public int ObservationSize { get; }

    /// <summary>Action length.</summary>
    public int ActionSize { get; }

    /// <summary>Observations, ObservationSize × Rows.</summary>
    public double[] Observations { get; }

    /// <summary>Actions, ActionSize × Rows.</summary>
    public double[] Actions { get; }

    /// <summary>Advantage estimates Â per row.</summary>
    public double[] Advantages { get; }

    /// <summary>Row weights (sum to one).</summary>
    public double[] Weights { get; }

    /// <summary>
    /// Gathers the valid steps of <paramref name="batch"/> (its Advantages already filled by the advantage estimator).
    /// </summary>
    public static PolicyBatch FromTrajectories(TrajectoryBatch batch, RowWeighting weighting)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.ValidSteps;
        if (rows == 0)
        {
            throw new ArgumentException("The trajectory batch has no valid steps.", nameof(batch));
        }

        int obs = batch.ObservationSize, act = batch.ActionSize, h = batch.Horizon;
        var o = new double[obs * rows];
        var a = new double[act * rows];
        var adv = new double[rows];
        var w = new double[rows];
        int nonEmpty = 0;
        foreach (int l in batch.Lengths)
        {
            nonEmpty += l > 0 ? 1 : 0;
        }

        int r = 0;
        for (int e = 0; e < batch.Episodes; e++)
        {
            int len = batch.Lengths[e];
            for (int t = 0; t < len; t++, r++)
            {
                int step = e * h + t;
                for (int i = 0; i < obs; i++)
                {
                    o[i * rows + r] = batch.Observations[step * obs + i];
                }

                for (int i = 0; i < act; i++)
                {
                    a[i * rows + r] = batch.Actions[step * act + i];
                }

                adv[r] = batch.Advantages[step];
                w[r] = weighting == RowWeighting.PerStep ? 1.0 / rows : 1.0 / ((double)nonEmpty * len);
                if (!double.IsFinite(adv[r]))
                {
                    throw new NumericalFailureException($"Advantage at episode {e}, step {t} is not finite.");
                }
            }
        }

        return new PolicyBatch(rows, obs, act, o, a, adv, w);
    }

    /// <summary>
    /// A sub-batch of every <paramref name="stride"/>-th row (weights renormalised to sum to one): curvature products
    /// on a subsample, as TRPO implementations do for Fisher-vector products. Stride 1 returns this batch.
    /// </summary>
    public PolicyBatch Subsample(int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (stride == 1)
        {
            return this;
        }

        int rows = (Rows + stride - 1) / stride;
        var o = new double[ObservationSize * rows];
        var a = new double[ActionSize * rows];
        var adv = new double[rows];
        var w = new double[rows];
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int src = r * stride;
            for (int i = 0; i < ObservationSize; i++)
            {
                o[i * rows + r] = Observations[i * Rows + src];
            }

            for (int i = 0; i < ActionSize; i++)
            {
                a[i * rows + r] = Actions[i * Rows + src];
            }

            adv[r] = Advantages[src];
            w[r] = Weights[src];
            total += w[r];
        }

        for (int r = 0; r < rows; r++)
        {
            w[r] /= total;
        }

        return new PolicyBatch(rows, ObservationSize, ActionSize, o, a, adv, w);
    }
}
