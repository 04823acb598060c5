namespace BoMrl.Distances;

/// <summary>
/// The three policy distances of Section 3 (docs/design.md §2). The within-task algorithm always evaluates
/// d²(π_φ, π) with the meta-policy first and the decision variable second.
/// </summary>
public enum Distance
{
    /// <summary>D1: d1²(π_φ, π, s) = KL(π_φ(·|s) ‖ π(·|s)), forward KL, meta-policy first.</summary>
    KlForward = 1,

    /// <summary>D2: d2²(π_φ, π, s) = KL(π(·|s) ‖ π_φ(·|s)), reverse KL.</summary>
    KlReverse = 2,

    /// <summary>D3: d3²(π_φ, π_θ) = ‖θ − φ‖², Euclidean on parameters, state-free.</summary>
    Euclidean = 3,
}

/// <summary>Parsing and naming of <see cref="Distance"/> as the CLI and configs spell it (kl1, kl2, l2).</summary>
public static class DistanceNames
{
    /// <summary>The CLI / config spelling: kl1, kl2 or l2.</summary>
    public static string ToName(this Distance d) => d switch
    {
        Distance.KlForward => "kl1",
        Distance.KlReverse => "kl2",
        Distance.Euclidean => "l2",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>Parses kl1/kl2/l2 (also d1/d2/d3); false on anything else.</summary>
    public static bool TryParse(string? text, out Distance distance)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "kl1" or "d1" or "klforward": distance = Distance.KlForward; return true;
            case "kl2" or "d2" or "klreverse": distance = Distance.KlReverse; return true;
            case "l2" or "d3" or "euclidean": distance = Distance.Euclidean; return true;
            default: distance = default; return false;
        }
    }
}

/// <summary>The implementation of each configured <see cref="Distance"/>.</summary>
public static class DistanceImplementations
{
    /// <summary>The <see cref="IDistance"/> that computes <paramref name="d"/>.</summary>
    public static IDistance Implementation(this Distance d) => d switch
    {
        Distance.KlForward => KlDistance.Forward,
        Distance.KlReverse => KlDistance.Reverse,
        Distance.Euclidean => EuclideanDistance.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };
}
