using BoMrl.DistanceKinds;

namespace BoMrl.Distances;

/// <summary>The sampled implementation of each of the paper's distances (<see cref="Distance"/>: D1, D2, D3 of Section 3).</summary>
public static class DistanceImplementations
{
    /// <summary>The <see cref="IDistance"/> that computes <paramref name="d"/> on a batch, as eqs. (7) and (8) use it.</summary>
    public static IDistance Implementation(this Distance d) => d switch
    {
        Distance.KlForward => KlDistance.Forward,
        Distance.KlReverse => KlDistance.Reverse,
        Distance.Euclidean => EuclideanDistance.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };
}
