using BoMrl.Numerics;
using BoMrl.Tabular;

namespace BoMrl.Environments.FrozenLake;

/// <summary>Where episodes start: uniformly over all non-terminal cells (default), or at the start cell only (gym).</summary>
public enum InitialStates
{
    /// <summary>ρ uniform over cells that are neither holes nor the goal: ρ(s) &gt; 0 for every decision state, so
    /// ν^π(s) ≥ (1 − γ)ρ(s) for every policy and Assumption 2 holds (Remark 1 (ii)).</summary>
    UniformNonTerminal = 0,

    /// <summary>ρ = δ_start as in gym; Assumption 2 may then fail (cells the policy never reaches have ν = 0).</summary>
    Start = 1,
}

/// <summary>
/// A Frozen Lake task distribution (Section 6.1, Appendix A): N×N maps with holes i.i.d. with probability p,
/// slippery (intended move 1/3, each perpendicular move 1/3, gym's order) or deterministic moves, γ, reward +1 on
/// entering the goal and −1 on entering a hole; goal and holes absorbing. Actions 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP;
/// moves off the grid leave that coordinate unchanged.
/// </summary>
public sealed record FrozenLakeDistribution(int Size = 4, double HoleProbability = 0.3, bool Slippery = true, double Gamma = 0.8,
    InitialStates Initial = InitialStates.UniformNonTerminal)
{
    /// <summary>Hole probability of the paper's high-variance distribution.</summary>
    public const double HighVarianceHoleProbability = 0.3;

    /// <summary>Hole probability of the paper's low-variance distribution.</summary>
    public const double LowVarianceHoleProbability = 0.1;

    /// <summary>Number of actions (LEFT, DOWN, RIGHT, UP).</summary>
    public const int ActionCount = 4;

    /// <summary>Checks N ≥ 2, p ∈ [0, 1), γ ∈ (0, 1).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Size, 2);
        if (!double.IsFinite(HoleProbability) || HoleProbability < 0 || HoleProbability >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HoleProbability), HoleProbability, "must be in [0, 1).");
        }

        if (!double.IsFinite(Gamma) || Gamma <= 0 || Gamma >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "must be in (0, 1).");
        }
    }

    /// <summary>
    /// Draws <paramref name="trainCount"/> training and <paramref name="testCount"/> held-out test maps from one seed:
    /// training map i uses stream (seed, 0, i), test map j stream (seed, 1, j), so adding test tasks never changes the
    /// training tasks.
    /// </summary>
    public (FrozenLakeMap[] Train, FrozenLakeMap[] Test) SampleMaps(int trainCount, int testCount, long seed)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testCount);
        var train = new FrozenLakeMap[trainCount];
        var test = new FrozenLakeMap[testCount];
        for (int i = 0; i < trainCount; i++)
        {
            train[i] = FrozenLakeMap.Sample(Size, HoleProbability, Seeds.Rng(seed, 0, i));
        }

        for (int j = 0; j < testCount; j++)
        {
            test[j] = FrozenLakeMap.Sample(Size, HoleProbability, Seeds.Rng(seed, 1, j));
        }

        return (train, test);
    }

    /// <summary>The MDP of one map under this distribution's dynamics, γ and initial states.</summary>
    public TabularMdp ToMdp(FrozenLakeMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Validate();
        if (map.Size != Size)
        {
            throw new ArgumentException($"map size {map.Size} differs from the distribution's {Size}", nameof(map));
        }

        int n = Size;
        int ns = n * n;
        const int na = ActionCount;
        double[] p = new double[ns * na * ns];
        double[] r = new double[ns * na * ns];
        bool[] absorbing = new bool[ns];
        double[] rho = new double[ns];
        for (int s = 0; s < ns; s++)
        {
            absorbing[s] = map.IsHole(s) || s == map.Goal;
        }

        for (int s = 0; s < ns; s++)
        {
            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                if (absorbing[s])
                {
                    p[sa * ns + s] = 1;
                    continue;
                }

                if (Slippery)
                {
                    foreach (int d in (ReadOnlySpan<int>)[(a + 3) % 4, a, (a + 1) % 4])
                    {
                        p[sa * ns + Move(s, d, n)] += 1.0 / 3.0;
                    }
                }
                else
                {
                    p[sa * ns + Move(s, a, n)] = 1;
                }

                for (int t = 0; t < ns; t++)
                {
                    r[sa * ns + t] = t == map.Goal ? 1.0 : map.IsHole(t) ? -1.0 : 0.0;
                }
            }
        }

        if (Initial == InitialStates.Start)
        {
            rho[map.Start] = 1;
        }
        else
        {
            int count = absorbing.Count(x => !x);
            for (int s = 0; s < ns; s++)
            {
                rho[s] = absorbing[s] ? 0 : 1.0 / count;
            }
        }

        // Zero out rewards of transitions with zero probability so the stored R is exactly the map's reward on entry.
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == 0)
            {
                r[i] = 0;
            }
        }

        return new TabularMdp(ns, na, Gamma, p, r, rho, absorbing);
    }

    /// <summary>Training and test MDPs from one seed (see <see cref="SampleMaps"/>).</summary>
    public (TabularMdp[] Train, TabularMdp[] Test, FrozenLakeMap[] TrainMaps, FrozenLakeMap[] TestMaps) SampleTasks(
        int trainCount, int testCount, long seed)
    {
        (FrozenLakeMap[] train, FrozenLakeMap[] test) = SampleMaps(trainCount, testCount, seed);
        return (train.Select(ToMdp).ToArray(), test.Select(ToMdp).ToArray(), train, test);
    }

    private static int Move(int s, int direction, int n)
    {
        int r = s / n;
        int c = s % n;
        switch (direction)
        {
            case 0: c = Math.Max(c - 1, 0); break;
            case 1: r = Math.Min(r + 1, n - 1); break;
            case 2: c = Math.Min(c + 1, n - 1); break;
            default: r = Math.Max(r - 1, 0); break;
        }

        return r * n + c;
    }
}
