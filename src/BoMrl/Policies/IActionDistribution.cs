namespace BoMrl.Policies;

/// <summary>
/// A family of action distributions π(·|s) described per state by a short parameter vector (Gaussian: means and
/// log-stds; categorical: logits), with batched log-probabilities, KL divergences, entropies, their exact gradients
/// with respect to the distribution parameters, and sampling.
/// Layout: distribution parameters and actions are feature-major (ParameterSize × rows, ActionSize × rows);
/// per-row results have length rows. The Add… methods accumulate coef[r]·∇(…)_r into the gradient spans.
/// </summary>
public interface IActionDistribution
{
    /// <summary>Distribution parameters per state.</summary>
    int ParameterSize { get; }

    /// <summary>Action length as stored (a categorical action is its index as one double).</summary>
    int ActionSize { get; }

    /// <summary>Random numbers per sampled action.</summary>
    int NoiseSize { get; }

    /// <summary>logp[r] = log π(a_r | dist_r).</summary>
    void LogProb(ReadOnlySpan<double> dist, ReadOnlySpan<double> actions, int rows, Span<double> logp);

    /// <summary>dDist[·, r] += coef[r] · ∇_dist log π(a_r | dist_r).</summary>
    void AddLogProbGradient(ReadOnlySpan<double> dist, ReadOnlySpan<double> actions, int rows, ReadOnlySpan<double> coef,
        Span<double> dDist);

    /// <summary>kl[r] = KL(p_r ‖ q_r).</summary>
    void Kl(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, Span<double> kl);

    /// <summary>dP += coef·∇_p KL(p‖q), dQ += coef·∇_q KL(p‖q), per row; either span may be empty to skip it.</summary>
    void AddKlGradient(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, ReadOnlySpan<double> coef, Span<double> dP,
        Span<double> dQ);

    /// <summary>h[r] = entropy of dist_r.</summary>
    void Entropy(ReadOnlySpan<double> dist, int rows, Span<double> h);

    /// <summary>dDist += coef·∇_dist entropy, per row.</summary>
    void AddEntropyGradient(ReadOnlySpan<double> dist, int rows, ReadOnlySpan<double> coef, Span<double> dDist);

    /// <summary>
    /// Draws actions from the per-row noise (row-major rows × NoiseSize) into <paramref name="actions"/> (row-major
    /// rows × ActionSize, the layout of a trajectory batch).
    /// </summary>
    void Sample(ReadOnlySpan<double> dist, int rows, ReadOnlySpan<double> noise, Span<double> actions);

    /// <summary>Draws one row's noise.</summary>
    void DrawNoise(Random rng, Span<double> noise);
}
