using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// What BO-MRL takes from eq. (8)'s own solve beyond the hypergradient, for a one-step adaptation: with
/// x = (H + δI)⁻¹g' (<see cref="Hypergradient.Compute(BatchObjectives, TaskAdaptation, PolicyBatch, Span{double}, Span{double})"/>
/// hands it back), the λ-derivative of the task's return and the behaviour-probability term eq. (8) drops. Each takes x
/// explicitly, solved on the same inner objective and θ'.
/// </summary>
public static class BoMrlHypergradient
{
    /// <summary>
    /// Eq. (8) for a one-step adaptation into <paramref name="result"/> and its x = (H + δI)⁻¹g' into
    /// <paramref name="solution"/>; throws for a chain of several steps (x then belongs to the first step only).
    /// </summary>
    public static CgSummary Compute(Hypergradient hypergradient, BatchObjectives objectives, TaskAdaptation adaptation, PolicyBatch postRows,
        Span<double> result, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(hypergradient);
        ArgumentNullException.ThrowIfNull(adaptation);
        if (adaptation.Steps.Count != 1)
        {
            throw new ArgumentException("dJ/dλ and the behaviour term are implemented for one-step adaptations (BO-MRL).", nameof(adaptation));
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(solution.Length, result.Length, nameof(solution));
        return hypergradient.Compute(objectives, adaptation, postRows, result, solution);
    }

    /// <summary>
    /// dJ/dλ = g'ᵀdθ'/dλ = −xᵀ∇_θD̂²(π_φ, π_θ'): eq. (8)'s implicit differentiation with ∂(∇_θL)/∂λ = −∇_θD̂² gives
    /// dθ'/dλ = −H⁻¹∇_θD̂² (one extra distance gradient), x = (H + δI)⁻¹g' solved on <paramref name="objective"/> at θ'.
    /// </summary>
    public static double LambdaDerivative(InnerObjective objective, BatchObjectives evaluator, ReadOnlySpan<double> thetaPrime,
        ReadOnlySpan<double> solution)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfNotEqual(solution.Length, thetaPrime.Length, nameof(solution));
        var distanceGradient = new double[thetaPrime.Length];
        objective.DistanceGradient(evaluator, thetaPrime, distanceGradient);
        return -FixedOrder.Dot(solution, distanceGradient);
    }

    /// <summary>
    /// result += the behaviour-probability part of Cᵀx that eq. (8) drops (<see cref="InnerObjective.AddBehaviourTransposeProduct"/>),
    /// x = (H + δI)⁻¹g' solved on <paramref name="objective"/> at θ'.
    /// </summary>
    public static void AddBehaviourTerm(InnerObjective objective, BatchObjectives evaluator, ReadOnlySpan<double> thetaPrime,
        ReadOnlySpan<double> solution, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfNotEqual(solution.Length, thetaPrime.Length, nameof(solution));
        objective.AddBehaviourTransposeProduct(evaluator, thetaPrime, solution, result);
    }
}
