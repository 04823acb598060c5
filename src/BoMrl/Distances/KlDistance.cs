using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Distances;

/// <summary>
/// D1 (forward KL, d1²(π_φ, π, s) = KL(π_φ(·|s) ‖ π(·|s))) and D2 (reverse KL, KL(π(·|s) ‖ π_φ(·|s))), averaged over
/// the batch rows with their weights. π_φ's forward pass is recorded once per anchor: its distributions enter D̂², its
/// activations the mixed products ∇_φ∇_θD̂².
/// </summary>
public sealed class KlDistance : IDistance
{
    private readonly bool _forward;

    private KlDistance(bool forward) => _forward = forward;

    /// <summary>D1: KL(π_φ ‖ π_θ), the meta-policy first.</summary>
    public static KlDistance Forward { get; } = new(forward: true);

    /// <summary>D2: KL(π_θ ‖ π_φ), the meta-policy second.</summary>
    public static KlDistance Reverse { get; } = new(forward: false);

    /// <inheritdoc/>
    public Distance Kind => _forward ? Distance.KlForward : Distance.KlReverse;

    /// <inheritdoc/>
    public bool OnPolicyPass => true;

    /// <summary>Where π_θ sits in the KL against π_φ's fixed distributions.</summary>
    private KlDirection Direction => _forward ? KlDirection.ReferenceFirst : KlDirection.PolicyFirst;

    /// <inheritdoc/>
    public DistanceAnchor Anchor(BatchObjectives objectives, PolicyBatch batch, ReadOnlySpan<double> phi)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(batch);
        var dist = new double[objectives.DistributionLength(batch)];
        var workspace = new double[objectives.Policy.WorkspaceSize(batch.Rows)];
        objectives.Record(phi, batch, dist, workspace);
        return new DistanceAnchor(batch, phi, dist, workspace);
    }

    /// <inheritdoc/>
    public double AddToPass(BatchObjectives objectives, DistanceAnchor anchor, double scale)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(anchor);
        return objectives.AddKl(anchor.PhiDistributions, Direction, scale);
    }

    /// <inheritdoc/>
    public double AddInParameterSpace(DistanceAnchor anchor, ReadOnlySpan<double> theta, double scale, Span<double> gradient) => 0;

    /// <inheritdoc/>
    public double Value(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(anchor);
        return objectives.MeanKl(theta, anchor.Batch, anchor.PhiDistributions, Direction, gradient);
    }

    /// <summary>
    /// result = ∇_φ[xᵀ∇_θD̂²(π_φ, π_θ)] by a central difference in θ along x of ∇_φD̂²(φ, ·). The φ-gradient is linear
    /// in the per-row KL gradients, so both sides share one backward pass through π_φ's recorded activations: two
    /// forward passes and one backward pass in all.
    /// </summary>
    public void MixedTransposeProduct(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, ReadOnlySpan<double> x,
        Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(anchor);
        double norm = FixedOrder.Norm(x);
        if (norm == 0)
        {
            result.Clear();
            return;
        }

        PolicyBatch batch = anchor.Batch;
        double[] distPhi = anchor.PhiDistributions;
        int rows = batch.Rows, len = distPhi.Length;
        double eps = HessianVector.Step(theta);
        var dist = new double[len];
        var dPhi = new double[len];
        var coef = new double[rows];
        Span<double> shifted = anchor.Scratch.AsSpan(0, theta.Length);
        IActionDistribution family = objectives.Policy.Distribution;
        foreach (double sign in (ReadOnlySpan<double>)[1.0, -1.0])
        {
            FixedOrder.MultiplyAdd(x, sign * eps / norm, theta, shifted);
            objectives.Distributions(shifted, batch, dist);
            FixedOrder.Multiply(batch.Weights, sign, coef);
            if (_forward)
            {
                family.AddKlGradient(distPhi, dist, rows, coef, dPhi, []); // φ is the first argument
            }
            else
            {
                family.AddKlGradient(dist, distPhi, rows, coef, [], dPhi); // φ is the second argument
            }
        }

        objectives.BackwardRecorded(anchor.Phi, batch, anchor.PhiWorkspace, dPhi, result);
        FixedOrder.Multiply(result, norm / (2.0 * eps), result);
    }

    /// <summary>result = (∂/∂φ ∇_θD̂²)·v by a central difference in φ along v of ∇_θD̂²(φ, θ) (π_φ recomputed at each φ).</summary>
    public void MixedProduct(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, ReadOnlySpan<double> v,
        Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(anchor);
        double[] th = theta.ToArray();
        PolicyBatch batch = anchor.Batch;
        HessianVector.CentralDifference((p, g) =>
        {
            if (_forward)
            {
                objectives.MeanKlBetween(p, th, batch, [], g); // φ is the first argument
            }
            else
            {
                objectives.MeanKlBetween(th, p, batch, g, []);
            }
        }, anchor.Phi, v, result, anchor.Scratch);
    }
}
