namespace BoMrl.Tabular;

/// <summary>
/// How Algorithm 1 obtains Q of a policy (lines 3 and 5): exactly by linear solves, or by Monte-Carlo rollouts with
/// a sample budget (<see cref="MonteCarloQ"/>). Either way ν, J and the resolvent stay exact (model-based).
/// </summary>
public sealed class QEstimator
{
    private readonly MonteCarloQ? _monteCarlo;

    private QEstimator(MonteCarloQ? monteCarlo) => _monteCarlo = monteCarlo;

    /// <summary>Exact Q by linear solves.</summary>
    public static QEstimator Exact { get; } = new(null);

    /// <summary>Monte-Carlo Q with <paramref name="rolloutsPerPair"/> rollouts per pair, truncated at <paramref name="horizon"/>.</summary>
    public static QEstimator MonteCarlo(int rolloutsPerPair, int horizon) => new(new MonteCarloQ(rolloutsPerPair, horizon));

    /// <summary>True for the exact estimator.</summary>
    public bool IsExact => _monteCarlo is null;

    /// <summary>The Monte-Carlo settings, or null when exact.</summary>
    public MonteCarloQ? MonteCarloSettings => _monteCarlo;

    /// <summary>
    /// Evaluates the softmax policy with logits <paramref name="theta"/>; with Monte-Carlo, Q is replaced by an
    /// estimate drawn from <paramref name="rng"/> and <paramref name="samples"/> counts the transitions used.
    /// </summary>
    public PolicyEvaluation Evaluate(TabularMdp mdp, ReadOnlySpan<double> theta, Random? rng, out long samples)
    {
        PolicyEvaluation exact = PolicyEvaluation.OfLogits(mdp, theta);
        if (_monteCarlo is null)
        {
            samples = 0;
            return exact;
        }

        ArgumentNullException.ThrowIfNull(rng);
        double[] qHat = new double[mdp.PairCount];
        samples = _monteCarlo.Estimate(mdp, exact.Pi, rng, qHat);
        return exact.WithEstimatedQ(qHat);
    }
}
