namespace BoMrl.Numerics;

/// <summary>
/// Derives independent random streams from (seed, indices) so that parallel work does not depend on
/// thread scheduling: every task / environment / worker gets <c>Seeds.Rng(seed, task, env)</c>.
/// </summary>
public static class Seeds
{
    /// <summary>SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A 31-bit seed derived from a root seed and any number of stream indices.</summary>
    public static int Derive(long seed, params ReadOnlySpan<long> indices)
    {
        ulong h = Mix((ulong)seed);
        foreach (long i in indices)
        {
            h = Mix(h ^ Mix((ulong)i + 0x632BE59BD9B4E019UL));
        }

        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>A seeded generator for the stream (seed, indices...). System.Random(int) is stable across runs.</summary>
    public static Random Rng(long seed, params ReadOnlySpan<long> indices) => new(Derive(seed, indices));

    /// <summary>Standard normal draw by Box–Muller (one value per call; deterministic given the generator).</summary>
    public static double NextGaussian(this Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]: log is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * PortableMath.Log(u1)) * PortableMath.Cos(2.0 * Math.PI * u2);
    }
}
