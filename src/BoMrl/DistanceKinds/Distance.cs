namespace BoMrl.DistanceKinds;

/// <summary>
/// Which of the paper's three policy distances D1, D2, D3 (Section 3, docs/design.md §2) a learner uses in eq. (1)/(7):
/// a name only, so that the sampled wing (BoMrl.Distances) and the tabular wing (BoMrl.Tabular) can share it. The
/// code always evaluates d²(π_φ, π) with the meta-policy first and the decision variable second.
/// </summary>
public enum Distance
{
    /// <summary>D1 (config kl1, alias d1): d1²(π_φ, π, s) = KL(π_φ(·|s) ‖ π(·|s)), the KL with the meta-policy first.</summary>
    KlForward = 1,

    /// <summary>D2 (config kl2, alias d2): d2²(π_φ, π, s) = KL(π(·|s) ‖ π_φ(·|s)), the KL in the reverse order.</summary>
    KlReverse = 2,

    /// <summary>D3 (config l2, alias d3): d3²(π_φ, π_θ) = ‖θ − φ‖², the squared Euclidean distance of the parameters.</summary>
    Euclidean = 3,
}

/// <summary>
/// The spellings of <see cref="Distance"/>: the canonical config name a resolved config and a run folder write (kl1, kl2,
/// l2), the paper's name (D1, D2, D3) and the input-only aliases (d1, d2, d3 and the enum member names).
/// </summary>
public static class DistanceNames
{
    /// <summary>The three distances in the paper's order D1, D2, D3.</summary>
    public static IReadOnlyList<Distance> All { get; } = [Distance.KlForward, Distance.KlReverse, Distance.Euclidean];

    /// <summary>The canonical config / CLI spelling (kl1, kl2 or l2): what resolved configs, run names and checkpoints write.</summary>
    public static string ToName(this Distance d) => d switch
    {
        Distance.KlForward => "kl1",
        Distance.KlReverse => "kl2",
        Distance.Euclidean => "l2",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>The paper's name of the distance (Section 3): D1, D2 or D3.</summary>
    public static string ToPaperName(this Distance d) => d switch
    {
        Distance.KlForward => "D1",
        Distance.KlReverse => "D2",
        Distance.Euclidean => "D3",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>Every spelling <see cref="TryParse"/> accepts for <paramref name="d"/>, canonical first (case and surrounding space are ignored).</summary>
    public static IReadOnlyList<string> Spellings(this Distance d) => d switch
    {
        Distance.KlForward => ["kl1", "d1", "klforward"],
        Distance.KlReverse => ["kl2", "d2", "klreverse"],
        Distance.Euclidean => ["l2", "d3", "euclidean"],
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>Parses any of <see cref="Spellings"/> (kl1/kl2/l2, d1/d2/d3, the member names); false on anything else.</summary>
    public static bool TryParse(string? text, out Distance distance)
    {
        string key = text?.Trim().ToLowerInvariant() ?? "";
        foreach (Distance d in All)
        {
            if (d.Spellings().Contains(key))
            {
                distance = d;
                return true;
            }
        }

        distance = default;
        return false;
    }
}
