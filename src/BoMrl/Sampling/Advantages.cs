using BoMrl.Numerics;

namespace BoMrl.Sampling;

/// <summary>Settings of the advantage estimator (config section <c>sampler</c>; defaults = pytorch-maml-rl's).</summary>
/// <param name="Gamma">Discount γ ∈ (0, 1].</param>
/// <param name="GaeLambda">GAE λ ∈ [0, 1] (1: Monte-Carlo returns minus the baseline).</param>
/// <param name="Normalize">Whether advantages are standardised over the batch's valid steps.</param>
/// <param name="BaselineRegularization">Initial ridge coefficient of the linear feature baseline.</param>
/// <param name="Estimator">What fills the advantage column: GAE with the baseline, or the Monte-Carlo Q̂ itself.</param>
/// <param name="CenterQ">Monte-Carlo Q only: subtract the batch mean of Q̂ over the valid steps.</param>
public sealed record AdvantageOptions(double Gamma = 0.99, double GaeLambda = 1.0, bool Normalize = true,
    double BaselineRegularization = 1e-5, AdvantageEstimator Estimator = AdvantageEstimator.Gae, bool CenterQ = false)
{
    /// <summary>Throws when a setting is out of range or not finite.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Gamma) || Gamma <= 0 || Gamma > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "γ must lie in (0, 1]");
        }

        if (!double.IsFinite(GaeLambda) || GaeLambda < 0 || GaeLambda > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GaeLambda), GaeLambda, "λ_GAE must lie in [0, 1]");
        }

        if (!double.IsFinite(BaselineRegularization) || BaselineRegularization <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BaselineRegularization), BaselineRegularization, "must be positive and finite");
        }

        if (!Enum.IsDefined(Estimator))
        {
            throw new ArgumentOutOfRangeException(nameof(Estimator), Estimator, "unknown advantage estimator");
        }
    }
}

/// <summary>The advantage column's estimator (config <c>sampler.estimator</c>).</summary>
public enum AdvantageEstimator
{
    /// <summary><c>gae</c>: GAE(γ, λ) against the linear feature baseline (pytorch-maml-rl; MAML-TRPO, ProMP, E-MAML).</summary>
    Gae,

    /// <summary>
    /// <c>monte-carlo-q</c>: Q̂_t, the discounted return-to-go of the sampled step, optionally centred by its batch mean;
    /// no baseline. The paper's "Q-value by Monte Carlo sampling" in eq. (7) (Appendix B; Algorithm 2, lines 3 and 5).
    /// </summary>
    MonteCarloQ,
}

/// <summary>
/// Monte-Carlo returns and advantages of a <see cref="TrajectoryBatch"/>, as in pytorch-maml-rl (docs/sampling.md):
/// discounted reward-to-go Q̂_t = Σ_{k≥t} γ^{k−t} r_k (the Q^{π} estimate of eq. (7)/(8)); the linear feature
/// baseline fitted to Q̂ on the same batch; GAE(γ, λ) (Schulman et al., 2016) with V = 0 after an episode's last
/// step (reaching the horizon is treated like termination, as pytorch-maml-rl does); optional standardisation. With
/// <see cref="AdvantageEstimator.MonteCarloQ"/> the advantage column is Q̂ itself (optionally centred), as eq. (7) reads.
/// </summary>
public static class Advantages
{
    /// <summary>Smallest standard deviation divisor offset in the normalisation (guards a constant advantage).</summary>
    public const double NormalizationEpsilon = 1e-8;

    /// <summary>
    /// Fills <see cref="TrajectoryBatch.Returns"/> and <see cref="TrajectoryBatch.Advantages"/>: returns, then either the
    /// baseline fit on the returns and GAE, or (Monte-Carlo Q) the returns themselves, centred when
    /// <see cref="AdvantageOptions.CenterQ"/>; standardisation when <see cref="AdvantageOptions.Normalize"/>.
    /// <paramref name="baseline"/> is refitted on the GAE path only (pass one per worker; it holds scratch space).
    /// </summary>
    public static void Compute(TrajectoryBatch batch, AdvantageOptions options, LinearFeatureBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baseline);
        options.Validate();
        DiscountedReturns(batch, options.Gamma);
        if (options.Estimator == AdvantageEstimator.MonteCarloQ)
        {
            MonteCarloQ(batch, options.CenterQ);
        }
        else
        {
            baseline.Fit(batch, batch.Returns);
            double[] values = new double[batch.Episodes * batch.Horizon];
            baseline.Predict(batch, values);
            Gae(batch, values, options.Gamma, options.GaeLambda);
        }

        if (options.Normalize)
        {
            Normalize(batch);
        }
    }

    /// <summary>Writes Q̂_t = r_t + γ·Q̂_{t+1} (zero past an episode's end) into <see cref="TrajectoryBatch.Returns"/>.</summary>
    public static void DiscountedReturns(TrajectoryBatch batch, double gamma)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int h = batch.Horizon;
        Array.Clear(batch.Returns);
        for (int e = 0; e < batch.Episodes; e++)
        {
            double g = 0;
            for (int t = batch.Lengths[e] - 1; t >= 0; t--)
            {
                g = batch.Rewards[e * h + t] + gamma * g;
                batch.Returns[e * h + t] = g;
            }
        }
    }

    /// <summary>
    /// Monte-Carlo Q of eq. (7): copies <see cref="TrajectoryBatch.Returns"/> (Q̂_t, filled by <see cref="DiscountedReturns"/>)
    /// into <see cref="TrajectoryBatch.Advantages"/>; with <paramref name="center"/>, subtracts their mean over the
    /// batch's valid steps (a constant shift: the policy gradient's expectation is unchanged, its variance and the
    /// h-clipped surrogate's saturation are not). Padding stays 0.
    /// </summary>
    public static void MonteCarloQ(TrajectoryBatch batch, bool center)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int h = batch.Horizon;
        Array.Clear(batch.Advantages);
        double sum = 0;
        for (int e = 0; e < batch.Episodes; e++)
        {
            ReadOnlySpan<double> q = batch.Returns.AsSpan(e * h, batch.Lengths[e]);
            q.CopyTo(batch.Advantages.AsSpan(e * h, batch.Lengths[e]));
            sum += FixedOrder.Sum(q);
        }

        int n = batch.ValidSteps;
        if (!center || n == 0)
        {
            return;
        }

        double mean = sum / n;
        for (int e = 0; e < batch.Episodes; e++)
        {
            Span<double> a = batch.Advantages.AsSpan(e * h, batch.Lengths[e]);
            FixedOrder.Subtract(a, mean, a);
        }
    }

    /// <summary>
    /// Generalised advantage estimation into <see cref="TrajectoryBatch.Advantages"/>: δ_t = r_t + γV_{t+1} − V_t with
    /// V_{L} = 0 at the episode's length L, Â_t = δ_t + γλÂ_{t+1}. With λ = 1 this equals Q̂_t − V_t.
    /// </summary>
    public static void Gae(TrajectoryBatch batch, ReadOnlySpan<double> values, double gamma, double lambda)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int h = batch.Horizon;
        if (values.Length != batch.Episodes * h)
        {
            throw new ArgumentException("one value per (episode, step) expected", nameof(values));
        }

        Array.Clear(batch.Advantages);
        double decay = gamma * lambda;
        for (int e = 0; e < batch.Episodes; e++)
        {
            double next = 0;
            double adv = 0;
            for (int t = batch.Lengths[e] - 1; t >= 0; t--)
            {
                int row = e * h + t;
                double delta = batch.Rewards[row] + gamma * next - values[row];
                adv = delta + decay * adv;
                batch.Advantages[row] = adv;
                next = values[row];
            }
        }
    }

    /// <summary>
    /// Standardises the advantages over the valid steps: (Â − mean) / (std + 1e-8), population std; padding stays 0.
    /// Throws when an advantage is not finite.
    /// </summary>
    public static void Normalize(TrajectoryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int h = batch.Horizon;
        int n = batch.ValidSteps;
        if (n == 0)
        {
            return;
        }

        double sum = 0;
        for (int e = 0; e < batch.Episodes; e++)
        {
            sum += FixedOrder.Sum(batch.Advantages.AsSpan(e * h, batch.Lengths[e]));
        }

        double mean = sum / n;
        double squares = 0;
        for (int e = 0; e < batch.Episodes; e++)
        {
            Span<double> a = batch.Advantages.AsSpan(e * h, batch.Lengths[e]);
            FixedOrder.Subtract(a, mean, a);
            squares += FixedOrder.SumOfSquares(a);
        }

        double std = Math.Sqrt(squares / n);
        if (!double.IsFinite(std))
        {
            throw new NumericalFailureException("advantages are not finite; cannot normalise");
        }

        double scale = 1.0 / (std + NormalizationEpsilon);
        for (int e = 0; e < batch.Episodes; e++)
        {
            Span<double> a = batch.Advantages.AsSpan(e * h, batch.Lengths[e]);
            FixedOrder.Multiply(a, scale, a);
        }
    }
}
