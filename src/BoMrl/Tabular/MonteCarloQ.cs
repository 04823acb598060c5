namespace BoMrl.Tabular;

/// <summary>
/// Monte-Carlo estimate of Q^π(s, a) from rollouts ("vine" estimation, Algorithm 1 lines 3 and 5): from every
/// non-absorbing pair (s, a), <see cref="RolloutsPerPair"/> episodes take a first, then follow π, and the
/// discounted return is averaged. An episode stops on entering an absorbing state (its value is exactly 0) or
/// after <see cref="Horizon"/> steps (truncation bias ≤ γ^H · max|r| / (1 − γ)). Absorbing states get Q = 0.
/// </summary>
public sealed class MonteCarloQ
{
    /// <summary>Rollouts started from each state-action pair.</summary>
    public int RolloutsPerPair { get; }

    /// <summary>Maximum number of transitions per rollout.</summary>
    public int Horizon { get; }

    /// <summary>Creates an estimator with a per-pair rollout count and a horizon (both ≥ 1).</summary>
    public MonteCarloQ(int rolloutsPerPair, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rolloutsPerPair);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        RolloutsPerPair = rolloutsPerPair;
        Horizon = horizon;
    }

    /// <summary>
    /// Writes Q̂ into <paramref name="qHat"/> (length |S||A|) for the policy <paramref name="pi"/>, drawing from
    /// <paramref name="rng"/> only; returns the number of environment transitions sampled.
    /// </summary>
    public long Estimate(TabularMdp mdp, ReadOnlySpan<double> pi, Random rng, Span<double> qHat)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNotEqual(pi.Length, mdp.PairCount, nameof(pi));
        ArgumentOutOfRangeException.ThrowIfNotEqual(qHat.Length, mdp.PairCount, nameof(qHat));
        int na = mdp.ActionCount;
        double gamma = mdp.Gamma;
        TransitionSampler sampler = mdp.Sampler;
        // Cumulative action probabilities per state (last entry +∞ guards against rounding of the total).
        double[] cdf = new double[pi.Length];
        for (int s = 0; s < mdp.StateCount; s++)
        {
            double c = 0;
            for (int a = 0; a < na; a++)
            {
                c += pi[s * na + a];
                cdf[s * na + a] = c;
            }

            cdf[s * na + na - 1] = double.PositiveInfinity;
        }

        // A xoshiro256** stream seeded from the caller's generator: the per-step draws are the hot loop, and
        // System.Random(seed) uses the slower legacy algorithm. Still fully determined by the caller's seed.
        var fast = new Xoshiro256(rng);
        long steps = 0;
        for (int s0 = 0; s0 < mdp.StateCount; s0++)
        {
            for (int a0 = 0; a0 < na; a0++)
            {
                if (mdp.IsAbsorbing(s0))
                {
                    qHat[s0 * na + a0] = 0;
                    continue;
                }

                double total = 0;
                for (int k = 0; k < RolloutsPerPair; k++)
                {
                    int s = s0;
                    int a = a0;
                    double discount = 1;
                    double ret = 0;
                    for (int t = 0; t < Horizon; t++)
                    {
                        s = sampler.Sample(s * na + a, fast.NextDouble(), out double reward);
                        ret += discount * reward;
                        discount *= gamma;
                        steps++;
                        if (mdp.IsAbsorbing(s))
                        {
                            break;
                        }

                        double u = fast.NextDouble();
                        int row = s * na;
                        a = 0;
                        while (u >= cdf[row + a])
                        {
                            a++;
                        }
                    }

                    total += ret;
                }

                qHat[s0 * na + a0] = total / RolloutsPerPair;
            }
        }

        return steps;
    }

    /// <summary>xoshiro256** (Blackman &amp; Vigna), seeded by four draws of the caller's generator.</summary>
    private struct Xoshiro256
    {
        private ulong _s0;
        private ulong _s1;
        private ulong _s2;
        private ulong _s3;

        public Xoshiro256(Random seedSource)
        {
            _s0 = (ulong)seedSource.NextInt64() | 1UL; // never the all-zero state
            _s1 = (ulong)seedSource.NextInt64();
            _s2 = (ulong)seedSource.NextInt64();
            _s3 = (ulong)seedSource.NextInt64();
        }

        public double NextDouble()
        {
            ulong result = System.Numerics.BitOperations.RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = System.Numerics.BitOperations.RotateLeft(_s3, 45);
            return (result >> 11) * (1.0 / (1UL << 53));
        }
    }
}
