using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Adaptation;

/// <summary>Outcome of one adaptation: the objective it solved, and L and ‖∇_θL‖₂ at θ' (evaluated there after the solve).</summary>
public sealed record AdaptationResult(InnerObjective Objective, double FinalObjective, double FinalGradientNorm);

/// <summary>
/// The one-time policy adaptation Alg(π_φ, λ, τ) on a sampled batch (eq. (7), Appendix D): the single adaptation
/// component of the library, configured by distance and surrogate (docs/design.md §3c):
/// h-clipped surrogate + D1/D2/D3 is BO-MRL's Algorithm 2; first-order surrogate + D3 is MAML's policy-gradient step
/// θ' = φ + ĝ/(2λ) (Appendix H, solved in closed form); first-order + D2 is a KL-regularised (natural-gradient-like)
/// step (Appendix G). Otherwise Adam maximises L from θ = φ for the configured number of iterations (Appendix B: 50),
/// optionally stopping at a gradient-norm tolerance and followed by L-BFGS and trust-region Newton polishing towards a
/// maximiser (where eq. (8) holds).
/// Not thread-safe (owns Adam's moments); one instance per worker.
/// </summary>
public sealed class SampledAdaptation
{
    /// <summary>Initial trust radius (in parameter space) of the Newton polish.</summary>
    private const double NewtonRadius = 0.5;

    private readonly Adam _adam;
    private readonly double[] _gradient;

    /// <summary>An adaptation for policies with <paramref name="parameterCount"/> parameters.</summary>
    public SampledAdaptation(AdaptationOptions options, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _adam = new Adam(parameterCount, options.LearningRate);
        _gradient = new double[parameterCount];
    }

    /// <summary>The configuration.</summary>
    public AdaptationOptions Options { get; }

    /// <summary>
    /// Solves (7) on <paramref name="batch"/> (advantages filled) and writes θ'. The ratio surrogates divide by
    /// <paramref name="behaviourLogProbs"/> (log π_β per row, fixed data) or, when empty, by π_φ's own: the batch was
    /// collected by π_φ. With <paramref name="lambda"/> given, that λ replaces the configured one (a meta-learned λ).
    /// </summary>
    public AdaptationResult Adapt(BatchObjectives evaluator, PolicyBatch batch, ReadOnlySpan<double> phi, Span<double> thetaPrime,
        ReadOnlySpan<double> behaviourLogProbs = default, double? lambda = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentOutOfRangeException.ThrowIfNotEqual(thetaPrime.Length, phi.Length, nameof(thetaPrime));
        AdaptationOptions options = lambda is double l ? Options with { Lambda = l } : Options;
        var objective = new InnerObjective(evaluator, batch, options, phi, behaviourLogProbs);
        if (Options.HasClosedForm)
        {
            // argmax ĝᵀ(θ − φ) − λ‖θ − φ‖²  ⇒  θ' = φ + ĝ/(2λ); ∇_θL(θ') = 0 exactly.
            FixedOrder.MultiplyAdd(objective.PolicyGradientAtPhi, 1.0 / (2.0 * options.Lambda), phi, thetaPrime);
            return new AdaptationResult(objective, objective.Value(evaluator, thetaPrime), 0.0);
        }

        return AdaptIteratively(evaluator, objective, phi, thetaPrime);
    }

    /// <summary>Solves (7) by Adam even when a closed form exists (used to check that the closed form is its limit).</summary>
    public AdaptationResult AdaptIteratively(BatchObjectives evaluator, PolicyBatch batch, ReadOnlySpan<double> phi, Span<double> thetaPrime) =>
        AdaptIteratively(evaluator, new InnerObjective(evaluator, batch, Options, phi), phi, thetaPrime);

    private AdaptationResult AdaptIteratively(BatchObjectives evaluator, InnerObjective objective, ReadOnlySpan<double> phi,
        Span<double> thetaPrime)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        phi.CopyTo(thetaPrime);
        _adam.Reset();
        double tolerance = Options.GradientTolerance;
        for (int it = 0; it < Options.Iterations; it++)
        {
            double value = objective.Gradient(evaluator, thetaPrime, _gradient);
            double gradNorm = FixedOrder.Norm(_gradient);
            if (!double.IsFinite(value) || !double.IsFinite(gradNorm))
            {
                throw new NumericalFailureException($"Inner problem (7) diverged at Adam iteration {it}: L = {value}, ‖∇L‖ = {gradNorm}.");
            }

            if (tolerance > 0 && gradNorm <= tolerance)
            {
                break;
            }

            FixedOrder.Negate(_gradient, _gradient); // Adam minimises −L
            _adam.Step(thetaPrime, _gradient);
        }

        if (Options.PolishIterations > 0)
        {
            Polish(evaluator, objective, thetaPrime);
        }

        if (Options.NewtonIterations > 0)
        {
            double[] theta = thetaPrime.ToArray();
            TrustRegionNewton.Minimize((x, g) =>
            {
                double v = objective.Gradient(evaluator, x, g);
                FixedOrder.Negate(g, g);
                return -v;
            }, x => objective.CurvatureOperator(evaluator, x), theta, tolerance > 0 ? tolerance : 1e-8, Options.NewtonIterations,
                initialRadius: NewtonRadius);
            theta.CopyTo(thetaPrime);
        }

        double final = objective.Gradient(evaluator, thetaPrime, _gradient);
        return new AdaptationResult(objective, final, FixedOrder.Norm(_gradient));
    }

    /// <summary>
    /// L-BFGS on −L from Adam's iterate for at most <see cref="AdaptationOptions.PolishIterations"/> iterations, until
    /// ‖∇L‖∞ ≤ tol/√n (which implies ‖∇L‖₂ ≤ tol; tol = 1e-8 when no tolerance is configured). Keeps θ' when the
    /// polished point is not at least as good (the line search only ever decreases −L, so this guards rounding only).
    /// </summary>
    private void Polish(BatchObjectives evaluator, InnerObjective objective, Span<double> thetaPrime)
    {
        double tolerance = Options.GradientTolerance > 0 ? Options.GradientTolerance : 1e-8;
        double start = objective.Value(evaluator, thetaPrime);
        LbfgsResult r = Lbfgs.Minimize((x, g) =>
        {
            double v = objective.Gradient(evaluator, x, g);
            FixedOrder.Negate(g, g);
            return -v;
        }, thetaPrime, tolerance / Math.Sqrt(thetaPrime.Length), Options.PolishIterations);
        if (-r.Value >= start)
        {
            r.X.CopyTo(thetaPrime);
        }
    }
}
