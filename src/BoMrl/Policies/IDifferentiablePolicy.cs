namespace BoMrl.Policies;

/// <summary>
/// A stochastic policy whose action distribution π_θ(·|s) is computed by a differentiable network from the
/// flat parameters θ: batched forward to per-state distribution parameters, and the exact backward pass from
/// gradients with respect to those distribution parameters to ∇_θ. Every objective of the library (log-prob,
/// KL both ways, entropy, the surrogate of eq. (7)) is a sum over states of a function of the distribution
/// parameters, so this pair is all the optimisation code needs. Observations are feature-major here
/// (ObservationSize × rows); see <see cref="Numerics.Dense"/>.
/// </summary>
public interface IDifferentiablePolicy : IStochasticPolicy
{
    /// <summary>The action-distribution family and its per-state math.</summary>
    IActionDistribution Distribution { get; }

    /// <summary>Workspace <see cref="Forward"/> fills for <paramref name="rows"/> rows (activations kept for the backward pass).</summary>
    int WorkspaceSize(int rows);

    /// <summary>Scratch <see cref="Backward"/> needs for <paramref name="rows"/> rows.</summary>
    int BackwardScratchSize(int rows);

    /// <summary>
    /// Writes the distribution parameters of π_θ(·|s_r) for every row into <paramref name="dist"/>
    /// (Distribution.ParameterSize × rows) and the activations into <paramref name="workspace"/>.
    /// </summary>
    void Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, Span<double> dist,
        Span<double> workspace);

    /// <summary>
    /// Given g = ∂ℓ/∂dist (same layout as dist) of ℓ = Σ_r ℓ_r(dist_r), writes ∂ℓ/∂θ into <paramref name="gradient"/>
    /// (overwritten). <paramref name="workspace"/> must hold the activations of <see cref="Forward"/> at the same θ.
    /// </summary>
    void Backward(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, ReadOnlySpan<double> workspace,
        ReadOnlySpan<double> distGradient, Span<double> gradient, Span<double> scratch);
}
