namespace BoMrl.Tabular;

/// <summary>
/// A finite MDP τ = (S, A, γ, ρ, P, r) (docs/design.md §1), stored densely in float64: transitions P[s, a, s'] and
/// transition rewards R[s, a, s'] as flat row-major arrays, the expected reward r(s, a) = Σ_s' P R, and the
/// initial distribution ρ. States flagged absorbing end an episode when entered (Frozen Lake's holes and goal);
/// they must be self-loops with zero reward, so their value is 0 and their policy row is irrelevant.
/// Immutable; thread-safe.
/// </summary>
public sealed class TabularMdp
{
    private readonly double[] _p;
    private readonly double[] _rTransition;
    private readonly double[] _r;
    private readonly double[] _rho;
    private readonly bool[] _absorbing;
    private TransitionSampler? _sampler;

    /// <summary>Number of states |S|.</summary>
    public int StateCount { get; }

    /// <summary>Number of actions |A|.</summary>
    public int ActionCount { get; }

    /// <summary>Discount factor γ ∈ (0, 1).</summary>
    public double Gamma { get; }

    /// <summary>P[s, a, s'] at index (s·|A| + a)·|S| + s'.</summary>
    public ReadOnlySpan<double> Transitions => _p;

    /// <summary>Reward of the transition (s, a, s') at the index of <see cref="Transitions"/>.</summary>
    public ReadOnlySpan<double> TransitionRewards => _rTransition;

    /// <summary>Expected reward r(s, a) = Σ_s' P(s'|s,a) R(s,a,s') at index s·|A| + a.</summary>
    public ReadOnlySpan<double> Rewards => _r;

    /// <summary>Initial-state distribution ρ.</summary>
    public ReadOnlySpan<double> InitialDistribution => _rho;

    /// <summary>True when <paramref name="state"/> is absorbing with zero reward (episode ends on entering it).</summary>
    public bool IsAbsorbing(int state) => _absorbing[state];

    /// <summary>Number of state-action pairs |S|·|A| (the length of a tabular parameter vector).</summary>
    public int PairCount => StateCount * ActionCount;

    /// <summary>
    /// Builds and validates an MDP. <paramref name="transitions"/> and <paramref name="transitionRewards"/> have
    /// length |S|·|A|·|S|; each P(·|s,a) must be a distribution (tolerance 1e-9, renormalised exactly);
    /// <paramref name="initial"/> likewise. <paramref name="absorbing"/> (optional) flags zero-reward self-loops.
    /// </summary>
    public TabularMdp(int states, int actions, double gamma, double[] transitions, double[] transitionRewards,
        double[] initial, bool[]? absorbing = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(states);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actions);
        if (!double.IsFinite(gamma) || gamma <= 0 || gamma >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be in (0, 1).");
        }

        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(transitionRewards);
        ArgumentNullException.ThrowIfNull(initial);
        int n = states * actions * states;
        ArgumentOutOfRangeException.ThrowIfNotEqual(transitions.Length, n, nameof(transitions));
        ArgumentOutOfRangeException.ThrowIfNotEqual(transitionRewards.Length, n, nameof(transitionRewards));
        ArgumentOutOfRangeException.ThrowIfNotEqual(initial.Length, states, nameof(initial));
        StateCount = states;
        ActionCount = actions;
        Gamma = gamma;
        _p = (double[])transitions.Clone();
        _rTransition = (double[])transitionRewards.Clone();
        _rho = (double[])initial.Clone();
        _absorbing = absorbing is null ? new bool[states] : (bool[])absorbing.Clone();
        ArgumentOutOfRangeException.ThrowIfNotEqual(_absorbing.Length, states, nameof(absorbing));
        NormaliseDistribution(_rho, "initial distribution");
        for (int sa = 0; sa < states * actions; sa++)
        {
            NormaliseDistribution(_p.AsSpan(sa * states, states), $"P(·|s={sa / actions}, a={sa % actions})");
        }

        foreach (double v in _rTransition)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("rewards must be finite", nameof(transitionRewards));
            }
        }

        _r = new double[states * actions];
        for (int sa = 0; sa < states * actions; sa++)
        {
            double e = 0;
            for (int t = 0; t < states; t++)
            {
                e += _p[sa * states + t] * _rTransition[sa * states + t];
            }

            _r[sa] = e;
        }

        for (int s = 0; s < states; s++)
        {
            if (!_absorbing[s])
            {
                continue;
            }

            for (int a = 0; a < actions; a++)
            {
                int sa = s * actions + a;
                if (Math.Abs(_p[sa * states + s] - 1) > 1e-12 || _r[sa] != 0)
                {
                    throw new ArgumentException($"state {s} is flagged absorbing but is not a zero-reward self-loop", nameof(absorbing));
                }
            }
        }
    }

    /// <summary>Successor sampler (built once, lazily) for Monte-Carlo rollouts.</summary>
    internal TransitionSampler Sampler => _sampler ??= new TransitionSampler(this);

    private static void NormaliseDistribution(Span<double> p, string what)
    {
        double sum = 0;
        foreach (double v in p)
        {
            if (!double.IsFinite(v) || v < 0)
            {
                throw new ArgumentException($"{what} has a negative or non-finite entry");
            }

            sum += v;
        }

        if (Math.Abs(sum - 1) > 1e-9)
        {
            throw new ArgumentException($"{what} sums to {sum}, not 1");
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }
    }
}

/// <summary>Sparse successor lists with cumulative probabilities per (s, a), for sampling transitions.</summary>
internal sealed class TransitionSampler
{
    private readonly int[] _start;
    private readonly int[] _next;
    private readonly double[] _cumulative;
    private readonly double[] _reward;

    public TransitionSampler(TabularMdp mdp)
    {
        int s = mdp.StateCount;
        int pairs = mdp.PairCount;
        ReadOnlySpan<double> p = mdp.Transitions;
        ReadOnlySpan<double> r = mdp.TransitionRewards;
        _start = new int[pairs + 1];
        var next = new List<int>();
        var cum = new List<double>();
        var rew = new List<double>();
        for (int sa = 0; sa < pairs; sa++)
        {
            _start[sa] = next.Count;
            double c = 0;
            for (int t = 0; t < s; t++)
            {
                double pr = p[sa * s + t];
                if (pr > 0)
                {
                    c += pr;
                    next.Add(t);
                    cum.Add(c);
                    rew.Add(r[sa * s + t]);
                }
            }

            cum[^1] = double.PositiveInfinity; // guards against a uniform draw ≥ the rounded total
        }

        _start[pairs] = next.Count;
        _next = [.. next];
        _cumulative = [.. cum];
        _reward = [.. rew];
    }

    /// <summary>Samples s' ~ P(·|s,a) with one uniform draw u ∈ [0, 1); returns s' and the transition reward.</summary>
    public int Sample(int pair, double u, out double reward)
    {
        int i = _start[pair];
        while (u >= _cumulative[i])
        {
            i++;
        }

        reward = _reward[i];
        return _next[i];
    }
}
