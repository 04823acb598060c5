using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Distances;

/// <summary>D3: d3²(π_φ, π_θ) = ‖θ − φ‖², Euclidean on the parameters, state-free; its mixed derivative is −2I.</summary>
public sealed class EuclideanDistance : IDistance
{
    /// <summary>The one instance (stateless).</summary>
    public static EuclideanDistance Instance { get; } = new();

    private EuclideanDistance()
    {
    }

    /// <inheritdoc/>
    public Distance Kind => Distance.Euclidean;

    /// <inheritdoc/>
    public bool OnPolicyPass => false;

    /// <inheritdoc/>
    public DistanceAnchor Anchor(BatchObjectives objectives, PolicyBatch batch, ReadOnlySpan<double> phi) => new(batch, phi, [], []);

    /// <inheritdoc/>
    public double AddToPass(BatchObjectives objectives, DistanceAnchor anchor, double scale) => 0;

    /// <inheritdoc/>
    public double AddInParameterSpace(DistanceAnchor anchor, ReadOnlySpan<double> theta, double scale, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        double[] phi = anchor.Phi;
        double value = 0;
        for (int i = 0; i < phi.Length; i++)
        {
            double d = theta[i] - phi[i];
            value += scale * d * d;
            if (!gradient.IsEmpty)
            {
                gradient[i] += 2.0 * scale * d;
            }
        }

        return value;
    }

    /// <inheritdoc/>
    public double Value(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, Span<double> gradient)
    {
        gradient.Clear();
        return AddInParameterSpace(anchor, theta, 1.0, gradient);
    }

    /// <inheritdoc/>
    public void MixedTransposeProduct(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, ReadOnlySpan<double> x,
        Span<double> result) => FixedOrder.Multiply(x, -2.0, result); // ∇_φ[xᵀ·2(θ − φ)] = −2x

    /// <inheritdoc/>
    public void MixedProduct(BatchObjectives objectives, DistanceAnchor anchor, ReadOnlySpan<double> theta, ReadOnlySpan<double> v,
        Span<double> result) => FixedOrder.Multiply(v, -2.0, result); // ∂/∂φ 2(θ − φ)·v = −2v
}
