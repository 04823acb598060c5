using System.Numerics.Tensors;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Adaptation;

/// <summary>Outcome of one adaptation: the objective it solved, and L and ‖∇_θL‖ at the last iterate Adam evaluated (one step before θ'; exact at θ' for the closed form).</summary>
public sealed record AdaptationResult(InnerObjective Objective, double FinalObjective, double FinalGradientNorm);

/// <summary>
/// The one-time policy adaptation Alg(π_φ, λ, τ) on a sampled batch (eq. (7), Appendix D): the single adaptation
/// component of the library, configured by distance and surrogate (docs/design.md §3c):
/// h-clipped surrogate + D1/D2/D3 is BO-MRL's Algorithm 2; first-order surrogate + D3 is MAML's policy-gradient step
/// θ' = φ + ĝ/(2λ) (Appendix H, solved in closed form); first-order + D2 is a KL-regularised (natural-gradient-like)
/// step (Appendix G). Otherwise Adam maximises L from θ = φ for the configured number of iterations (Appendix B: 50).
/// Not thread-safe (owns Adam's moments); one instance per worker.
/// </summary>
public sealed class SampledAdaptation
{
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
    /// collected by π_φ.
    /// </summary>
    public AdaptationResult Adapt(BatchObjectives evaluator, PolicyBatch batch, ReadOnlySpan<double> phi, Span<double> thetaPrime,
        ReadOnlySpan<double> behaviourLogProbs = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentOutOfRangeException.ThrowIfNotEqual(thetaPrime.Length, phi.Length, nameof(thetaPrime));
        var objective = new InnerObjective(evaluator, batch, Options, phi, behaviourLogProbs);
        if (Options.HasClosedForm)
        {
            // argmax ĝᵀ(θ − φ) − λ‖θ − φ‖²  ⇒  θ' = φ + ĝ/(2λ); ∇_θL(θ') = 0 exactly.
            TensorPrimitives.MultiplyAdd(objective.PolicyGradientAtPhi, 1.0 / (2.0 * Options.Lambda), phi, thetaPrime);
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
        double value = 0, gradNorm = 0;
        for (int it = 0; it < Options.Iterations; it++)
        {
            value = objective.Gradient(evaluator, thetaPrime, _gradient);
            gradNorm = TensorPrimitives.Norm<double>(_gradient);
            if (!double.IsFinite(value) || !double.IsFinite(gradNorm))
            {
                throw new NumericalFailureException($"Inner problem (7) diverged at Adam iteration {it}: L = {value}, ‖∇L‖ = {gradNorm}.");
            }

            TensorPrimitives.Negate<double>(_gradient, _gradient); // Adam minimises −L
            _adam.Step(thetaPrime, _gradient);
        }

        return new AdaptationResult(objective, value, gradNorm);
    }
}
