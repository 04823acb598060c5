using BoMrl.DistanceKinds;
using BoMrl.Objectives;

namespace BoMrl.Distances;

/// <summary>
/// A policy distance D̂²(π_φ, π_θ) on a batch (Section 3; D1, D2, D3), as the inner objective L = S − λ·D̂² of eq. (7)
/// and the hypergradient of eq. (8) use it: its value and θ-gradient (as a term of L), and the mixed products
/// ∇_φ[xᵀ∇_θD̂²] and (∂∇_θD̂²/∂φ)·v. Implementations are stateless; what depends on φ lives in a
/// <see cref="DistanceAnchor"/>.
/// </summary>
public interface IDistance
{
    /// <summary>The configured name of this distance.</summary>
    Distance Kind { get; }

    /// <summary>True when D̂² is a batch average over states, evaluated on θ's forward pass (D1, D2); false for D3.</summary>
    bool OnPolicyPass { get; }

    /// <summary>Prepares D̂²(π_φ, ·) on <paramref name="batch"/>: caches what the φ side needs.</summary>
    DistanceAnchor Anchor(BatchObjectives objectives, PolicyBatch batch, ReadOnlySpan<double> phi);

    /// <summary>
    /// Adds scale·D̂²(π_φ, π_θ) to the sum of terms open on <paramref name="objectives"/> (between Begin and End at θ)
    /// and returns its value; 0 and nothing added when <see cref="OnPolicyPass"/> is false.
    /// </summary>
    double AddToPass(BatchObjectives objectives, DistanceAnchor anchor, double scale);

    /// <summary>
    /// Adds scale·∇_θD̂² into <paramref name="gradient"/> (may be empty) and returns scale·D̂², for a distance on the
    /// parameters; 0 and nothing added when <see cref="OnPolicyPass"/> is true.
    /// </summary>
    double AddInParameterSpace(DistanceAnchor anchor, ReadOnlySpan<double> theta, double scale, Span<double> gradient);

    /// <summary>D̂²(π_φ, π_θ) and ∇_θ of it into <paramref name="gradient"/> (may be empty), on its own.</summary>
    double Value(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, Span<double> gradient);

    /// <summary>result = ∇_φ[xᵀ∇_θD̂²(π_φ, π_θ)] (the distance part of Cᵀx in eq. (8), before the factor −λ).</summary>
    void MixedTransposeProduct(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, ReadOnlySpan<double> x,
        Span<double> result);

    /// <summary>result = (∂/∂φ ∇_θD̂²(π_φ, π_θ))·v (the distance part of C·v, before the factor −λ).</summary>
    void MixedProduct(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, ReadOnlySpan<double> v,
        Span<double> result);
}

/// <summary>
/// D̂²(π_φ, ·) prepared on one batch: the batch, φ, and for the KL distances π_φ's distribution parameters and recorded
/// activations (so that mixed products backpropagate through π_φ without a new forward pass). Not thread-safe (scratch).
/// </summary>
public sealed class DistanceAnchor
{
    internal DistanceAnchor(PolicyBatch batch, ReadOnlySpan<double> phi, double[] phiDistributions, double[] phiWorkspace)
    {
        Batch = batch;
        Phi = phi.ToArray();
        PhiDistributions = phiDistributions;
        PhiWorkspace = phiWorkspace;
        Scratch = phiDistributions.Length > 0 ? new double[2 * phi.Length] : [];
    }

    /// <summary>The batch B collected by π_φ.</summary>
    public PolicyBatch Batch { get; }

    /// <summary>The meta-parameters φ.</summary>
    internal double[] Phi { get; }

    /// <summary>π_φ's distribution parameters on the rows (KL distances; empty for D3).</summary>
    internal double[] PhiDistributions { get; }

    /// <summary>π_φ's recorded forward pass on the rows (KL distances; empty for D3).</summary>
    internal double[] PhiWorkspace { get; }

    /// <summary>Scratch of 2 × parameters for difference products.</summary>
    internal double[] Scratch { get; }
}
