using BoMrl.Numerics;

namespace BoMrl.Meta;

/// <summary>
/// TRPO settings (Schulman et al. 2015, as pytorch-maml-rl's MAML-TRPO uses them): trust-region size δ (max KL), CG
/// iterations and damping on the Fisher-vector products, and the backtracking line search.
/// </summary>
/// <param name="MaxKl">δ: the step is scaled to the quadratic KL model's boundary ½sᵀFs = δ and must keep the actual KL ≤ δ.</param>
/// <param name="CgIterations">CG iterations for the natural direction F⁻¹g.</param>
/// <param name="CgDamping">Damping added to F (F is singular in directions that do not change π on the batch).</param>
/// <param name="LineSearchMaxSteps">Backtracking trials before the step is rejected.</param>
/// <param name="BacktrackRatio">Step-size factor between trials.</param>
public sealed record TrpoOptions(double MaxKl = 0.01, int CgIterations = 10, double CgDamping = 1e-5, int LineSearchMaxSteps = 15,
    double BacktrackRatio = 0.8)
{
    /// <summary>Throws when a setting is out of range or not finite.</summary>
    public void Validate()
    {
        if (!double.IsFinite(MaxKl) || MaxKl <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKl), MaxKl, "max_kl must be finite and positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CgIterations);
        if (!double.IsFinite(CgDamping) || CgDamping < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CgDamping), CgDamping, "cg_damping must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LineSearchMaxSteps);
        if (!double.IsFinite(BacktrackRatio) || BacktrackRatio <= 0 || BacktrackRatio >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BacktrackRatio), BacktrackRatio, "ls_backtrack_ratio must lie in (0, 1).");
        }
    }
}

/// <summary>
/// Evaluates a candidate parameter vector during the line search: the change of the surrogate being maximised
/// (relative to the current parameters) and the KL that the trust region bounds.
/// </summary>
public delegate (double Improvement, double Kl) TrpoCandidate(ReadOnlySpan<double> candidate);

/// <summary>
/// Outcome of a TRPO step: whether a step was accepted, the accepted (or last tried) KL and improvement, line-search
/// trials, the actual KL of the full step (the quadratic model predicts δ), and the natural-direction CG outcome.
/// </summary>
public readonly record struct TrpoResult(bool Accepted, double Kl, double Improvement, int LineSearchSteps, double FullStepKl,
    CgResult Cg);

/// <summary>
/// One trust-region step on parameters φ with an ascent direction g (docs/design.md §4d): s = (F + δ_cg I)⁻¹g by CG on
/// Fisher-vector products, scaled to the boundary ½sᵀFs = δ, then backtracking (ratio^k) until the surrogate does
/// not decrease and the KL ≤ δ; if no trial passes, φ is left unchanged. Shared by BO-MRL (Algorithm 2) and MAML-TRPO.
/// </summary>
public sealed class Trpo
{
    private readonly ConjugateGradient _cg;
    private readonly double[] _step, _fs, _candidate;

    /// <summary>A TRPO step for <paramref name="parameterCount"/> parameters.</summary>
    public Trpo(int parameterCount, TrpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _cg = new ConjugateGradient(parameterCount);
        _step = new double[parameterCount];
        _fs = new double[parameterCount];
        _candidate = new double[parameterCount];
    }

    /// <summary>The settings.</summary>
    public TrpoOptions Options { get; }

    /// <summary>Updates <paramref name="phi"/> in place by one TRPO step along the ascent direction <paramref name="gradient"/>.</summary>
    public TrpoResult Step(Span<double> phi, ReadOnlySpan<double> gradient, LinearOperator fisher, TrpoCandidate evaluate)
    {
        ArgumentNullException.ThrowIfNull(fisher);
        ArgumentNullException.ThrowIfNull(evaluate);
        ArgumentOutOfRangeException.ThrowIfNotEqual(phi.Length, _step.Length, nameof(phi));
        ArgumentOutOfRangeException.ThrowIfNotEqual(gradient.Length, _step.Length, nameof(gradient));
        CgResult cg = _cg.Solve(fisher, gradient, _step, Options.CgIterations, Options.CgDamping);
        fisher(_step, _fs);
        FixedOrder.MultiplyAdd(_step, Options.CgDamping, _fs, _fs);
        double shs = 0.5 * FixedOrder.Dot(_step, _fs);
        if (!double.IsFinite(shs))
        {
            throw new NumericalFailureException("TRPO: the Fisher quadratic form of the step is not finite.");
        }

        if (shs <= 0)
        {
            // g = 0 or a non-positive Fisher form along s: no trust-region step exists; keep φ.
            return new TrpoResult(false, 0, 0, 0, 0, cg);
        }

        double scale = Math.Sqrt(Options.MaxKl / shs); // ½(βs)ᵀF(βs) = δ
        double stepSize = 1.0, kl = 0, improvement = 0, fullStepKl = 0;
        for (int k = 0; k < Options.LineSearchMaxSteps; k++)
        {
            FixedOrder.MultiplyAdd(_step, stepSize * scale, phi, _candidate);
            (improvement, kl) = evaluate(_candidate);
            if (!double.IsFinite(improvement) || !double.IsFinite(kl))
            {
                throw new NumericalFailureException($"TRPO line search: non-finite surrogate change {improvement} or KL {kl}.");
            }

            if (k == 0)
            {
                fullStepKl = kl;
            }

            if (improvement >= 0 && kl <= Options.MaxKl)
            {
                _candidate.CopyTo(phi);
                return new TrpoResult(true, kl, improvement, k + 1, fullStepKl, cg);
            }

            stepSize *= Options.BacktrackRatio;
        }

        return new TrpoResult(false, kl, improvement, Options.LineSearchMaxSteps, fullStepKl, cg);
    }
}
