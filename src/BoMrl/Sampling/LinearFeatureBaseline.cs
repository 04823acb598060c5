using BoMrl.Numerics;

namespace BoMrl.Sampling;

/// <summary>
/// The linear feature baseline V(s_t) = wᵀf(o_t, t) of Duan et al. (2016, supplementary §2) used by MAML, ProMP
/// and pytorch-maml-rl: features f = (o, o², τ, τ², τ³, 1) with τ = t/100 (2·obsSize + 4 numbers), fitted to the
/// discounted returns of one batch by ridge-regularised least squares, (XᵀX + c·I) w = Xᵀy. When the system cannot
/// be solved (not positive definite, or a non-finite solution) c is multiplied by 10, up to
/// <see cref="MaxAttempts"/> tries in all, after which the fit fails loudly (docs/sampling.md).
/// </summary>
public sealed class LinearFeatureBaseline
{
    /// <summary>Divisor of the time step in the features (pytorch-maml-rl uses t/100 whatever the horizon).</summary>
    public const double TimeScale = 100.0;

    /// <summary>Number of regularisation levels tried: c, 10c, ..., 10⁴c.</summary>
    public const int MaxAttempts = 5;

    private readonly double[] _gram;
    private readonly double[] _rhs;
    private readonly double[] _feature;

    /// <summary>Creates an unfitted (all-zero) baseline for observations of length <paramref name="observationSize"/>.</summary>
    /// <param name="observationSize">Observation length.</param>
    /// <param name="regularization">Initial ridge coefficient c (pytorch-maml-rl: 1e-5).</param>
    public LinearFeatureBaseline(int observationSize, double regularization = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationSize);
        if (!double.IsFinite(regularization) || regularization <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "must be positive and finite");
        }

        ObservationSize = observationSize;
        Regularization = regularization;
        int f = FeatureCount(observationSize);
        Weights = new double[f];
        _gram = new double[f * f];
        _rhs = new double[f];
        _feature = new double[f];
    }

    /// <summary>Observation length.</summary>
    public int ObservationSize { get; }

    /// <summary>Initial ridge coefficient.</summary>
    public double Regularization { get; }

    /// <summary>Ridge coefficient the last fit needed (≥ <see cref="Regularization"/>).</summary>
    public double LastRegularization { get; private set; }

    /// <summary>Fitted weights w (feature order: o, o², τ, τ², τ³, 1).</summary>
    public double[] Weights { get; }

    /// <summary>Number of features for an observation of length <paramref name="observationSize"/>: 2·n + 4.</summary>
    public static int FeatureCount(int observationSize) => 2 * observationSize + 4;

    /// <summary>Writes f(o, t) = (o, o², τ, τ², τ³, 1), τ = t/100, into <paramref name="feature"/>.</summary>
    public static void Features(ReadOnlySpan<double> observation, int t, Span<double> feature)
    {
        int n = observation.Length;
        for (int i = 0; i < n; i++)
        {
            feature[i] = observation[i];
            feature[n + i] = observation[i] * observation[i];
        }

        double tau = t / TimeScale;
        feature[2 * n] = tau;
        feature[2 * n + 1] = tau * tau;
        feature[2 * n + 2] = tau * tau * tau;
        feature[2 * n + 3] = 1.0;
    }

    /// <summary>
    /// Fits w to <paramref name="targets"/> (one per step, padded like the batch; usually <see cref="TrajectoryBatch.Returns"/>)
    /// over the valid steps of <paramref name="batch"/>. Throws when no
    /// regularisation level up to 10⁴·c gives a finite solution (<see cref="NumericalFailureException"/>).
    /// </summary>
    public void Fit(TrajectoryBatch batch, ReadOnlySpan<double> targets)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckShape(batch);
        if (targets.Length != batch.Episodes * batch.Horizon)
        {
            throw new ArgumentException("one target per (episode, step) expected", nameof(targets));
        }

        int f = Weights.Length;
        int n = ObservationSize;
        Array.Clear(_gram);
        Array.Clear(_rhs);
        for (int e = 0; e < batch.Episodes; e++)
        {
            for (int t = 0; t < batch.Lengths[e]; t++)
            {
                int row = e * batch.Horizon + t;
                Features(batch.Observations.AsSpan(row * n, n), t, _feature);
                double y = targets[row];
                for (int i = 0; i < f; i++)
                {
                    double fi = _feature[i];
                    _rhs[i] += fi * y;
                    for (int j = 0; j <= i; j++)
                    {
                        _gram[i * f + j] += fi * _feature[j];
                    }
                }
            }
        }

        // Mirror the lower triangle: the LU solve reads the whole matrix.
        for (int i = 0; i < f; i++)
        {
            for (int j = 0; j < i; j++)
            {
                _gram[j * f + i] = _gram[i * f + j];
            }
        }

        double c = Regularization;
        for (int attempt = 0; attempt < MaxAttempts; attempt++, c *= 10)
        {
            for (int i = 0; i < f; i++)
            {
                _gram[i * f + i] += attempt == 0 ? c : c - c / 10; // raise the diagonal from the previous level to c
            }

            if (TrySolve(_gram, _rhs, Weights, f))
            {
                LastRegularization = c;
                return;
            }
        }

        Array.Clear(Weights);
        throw new NumericalFailureException(
            $"linear feature baseline: the normal equations stay singular up to ridge coefficient {c / 10:g3} " +
            "(non-finite observations or returns?)");
    }

    /// <summary>Solves A·w = b by LU (Numerics/DenseLu); false when A is numerically singular or w is not finite.</summary>
    private static bool TrySolve(double[] a, double[] b, double[] w, int n)
    {
        DenseLu lu;
        try
        {
            lu = new DenseLu(a, n);
        }
        catch (NumericalFailureException)
        {
            return false; // singular at this regularisation level: the caller raises c
        }

        b.CopyTo(w, 0);
        lu.Solve(w);
        foreach (double x in w)
        {
            if (!double.IsFinite(x))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes V(o_t, t) = wᵀf for every valid step of <paramref name="batch"/> into <paramref name="values"/>; zero elsewhere.</summary>
    public void Predict(TrajectoryBatch batch, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckShape(batch);
        if (values.Length != batch.Episodes * batch.Horizon)
        {
            throw new ArgumentException("one value per (episode, step) expected", nameof(values));
        }

        int n = ObservationSize;
        values.Clear();
        for (int e = 0; e < batch.Episodes; e++)
        {
            for (int t = 0; t < batch.Lengths[e]; t++)
            {
                int row = e * batch.Horizon + t;
                Features(batch.Observations.AsSpan(row * n, n), t, _feature);
                values[row] = FixedOrder.Dot(_feature, Weights);
            }
        }
    }

    private void CheckShape(TrajectoryBatch batch)
    {
        if (batch.ObservationSize != ObservationSize)
        {
            throw new ArgumentException($"batch observations have {batch.ObservationSize} entries; the baseline expects {ObservationSize}", nameof(batch));
        }
    }
}
