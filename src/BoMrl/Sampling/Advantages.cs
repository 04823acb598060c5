using BoMrl.Numerics;

namespace BoMrl.Sampling;

/// <summary>Settings of the advantage estimator (config section <c>sampler</c>; defaults = pytorch-maml-rl's).</summary>
/// <param name="Gamma">Discount γ ∈ (0, 1].</param>
/// <param name="GaeLambda">GAE λ ∈ [0, 1] (1: Monte-Carlo returns minus the baseline).</param>
/// <param name="Normalize">Whether advantages are standardised over the batch's valid steps.</param>
/// <param name="BaselineRegularization">Initial ridge coefficient of the linear feature baseline.</param>
/// <param name="Estimator">What fills the advantage column: GAE with the baseline, the Monte-Carlo Q̂ itself, or Q̂ minus the baseline.</param>
/// <param name="CenterQ">Monte-Carlo Q only: subtract the batch mean of Q̂ over the valid steps.</param>
/// <remarks>
/// <see cref="AdvantageEstimator.MonteCarloQBaseline"/> refuses <see cref="Normalize"/> and <see cref="CenterQ"/>: its
/// weights are in return units by definition (standardised, it is standardised GAE(1) up to rounding).
/// </remarks>
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

        if (Estimator == AdvantageEstimator.MonteCarloQBaseline && (Normalize || CenterQ))
        {
            throw new ArgumentException(
                "the Monte-Carlo Q minus the baseline is in return units and already centred: Normalize and CenterQ must be false",
                Normalize ? nameof(Normalize) : nameof(CenterQ));
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

    /// <summary>
    /// <c>monte-carlo-q-baseline</c>: Q̂_t − V(s_t, t), the discounted return-to-go minus the linear feature baseline
    /// (fitted to Q̂ on the same batch; its features include time), in return units, never standardised. The Q of
    /// eq. (7) with a state/time baseline subtracted: the baseline removes the truncation profile
    /// r̄(1 − γ^{H−t})/(1 − γ) that dominates the plain and centred Q̂ when the horizon cuts the return
    /// (docs/meta-learning.md, "The truncation profile"). No bootstrap at the horizon: equal to <see cref="Gae"/> with
    /// λ = 1 and no normalisation in exact arithmetic (our GAE sets V = 0 after an episode's last step), computed
    /// directly as Q̂ − V rather than by GAE's telescoping recursion, so the two differ by rounding only.
    /// </summary>
    MonteCarloQBaseline,
}

/// <summary>
/// Monte-Carlo returns and advantages of a <see cref="TrajectoryBatch"/>, as in pytorch-maml-rl (docs/sampling.md):
/// discounted reward-to-go Q̂_t = Σ_{k≥t} γ^{k−t} r_k (the Q^{π} estimate of eq. (7)/(8)); the linear feature
/// baseline fitted to Q̂ on the same batch; GAE(γ, λ) (Schulman et al., 2016) with V = 0 after an episode's last
/// step (reaching the horizon is treated like termination, as pytorch-maml-rl does); optional standardisation. With
/// <see cref="AdvantageEstimator.MonteCarloQ"/> the advantage column is Q̂ itself (optionally centred), as eq. (7) reads;
/// with <see cref="AdvantageEstimator.MonteCarloQBaseline"/> it is Q̂ − V.
/// </summary>
public static class Advantages
{
    /// <summary>Smallest standard deviation divisor offset in the normalisation (guards a constant advantage).</summary>
    public const double NormalizationEpsilon = 1e-8;

    /// <summary>
    /// Fills <see cref="TrajectoryBatch.Returns"/> and <see cref="TrajectoryBatch.Advantages"/>: returns, then the
    /// baseline fit on the returns and GAE, or (Monte-Carlo Q) the returns themselves, centred when
    /// <see cref="AdvantageOptions.CenterQ"/>, or (Monte-Carlo Q minus baseline) the returns less the fitted baseline;
    /// standardisation when <see cref="AdvantageOptions.Normalize"/>. <paramref name="baseline"/> is refitted on the GAE
    /// and baseline paths (pass one per worker; it holds scratch space).
    /// </summary>
    public static void Compute(TrajectoryBatch batch, AdvantageOptions options, LinearFeatureBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baseline);
        options.Validate();
        DiscountedReturns(batch, options.Gamma);
        switch (options.Estimator)
        {
            case AdvantageEstimator.MonteCarloQ:
                MonteCarloQ(batch, options.CenterQ);
                break;
            case AdvantageEstimator.MonteCarloQBaseline:
                ReturnsMinusValues(batch, FittedValues(batch, baseline));
                break;
            default:
                Gae(batch, FittedValues(batch, baseline), options.Gamma, options.GaeLambda);
                break;
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

    /// <summary>The linear feature baseline fitted to <see cref="TrajectoryBatch.Returns"/>, evaluated on every valid step (0 elsewhere).</summary>
    private static double[] FittedValues(TrajectoryBatch batch, LinearFeatureBaseline baseline)
    {
        baseline.Fit(batch, batch.Returns);
        double[] values = new double[batch.Episodes * batch.Horizon];
        baseline.Predict(batch, values);
        return values;
    }

    /// <summary>
    /// Monte-Carlo Q minus a baseline, the weights eq. (7) receives from <see cref="AdvantageEstimator.MonteCarloQBaseline"/>:
    /// Â_t = Q̂_t − V_t over the valid steps (one rounding per step), Q̂ from <see cref="DiscountedReturns"/>; padding 0.
    /// No bootstrap: V(s_H) of a step cut by the horizon is not added back.
    /// </summary>
    public static void ReturnsMinusValues(TrajectoryBatch batch, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int h = batch.Horizon;
        if (values.Length != batch.Episodes * h)
        {
            throw new ArgumentException("one value per (episode, step) expected", nameof(values));
        }

        Array.Clear(batch.Advantages);
        for (int e = 0; e < batch.Episodes; e++)
        {
            int start = e * h, length = batch.Lengths[e];
            FixedOrder.Subtract(batch.Returns.AsSpan(start, length), values.Slice(start, length), batch.Advantages.AsSpan(start, length));
        }
    }

    /// <summary>
    /// Generalised advantage estimation into <see cref="TrajectoryBatch.Advantages"/>: δ_t = r_t + γV_{t+1} − V_t with
    /// V_{L} = 0 at the episode's length L (no bootstrap at the horizon), Â_t = δ_t + γλÂ_{t+1}. With λ = 1 this equals
    /// Q̂_t − V_t in exact arithmetic (the sum telescopes; rounding differs from <see cref="ReturnsMinusValues"/>).
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
