using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// The term eq. (8) drops: the dependence of the pre-adaptation batch B on π_φ. With J(φ) = E_{B∼p(·|φ)}[J(θ'(φ, B))],
/// ∇_φJ = E[(dθ'/dφ)ᵀ∇_θJ(θ')] + E[J(θ'(φ, B))·∇_φ log p(B|φ)], and log p(B|φ) = Σ_episodes Σ_t log π_φ(a_t|s_t) plus
/// terms free of φ (initial states, dynamics). Eq. (8) is the first expectation; this class estimates the second per
/// task as (Ĵ_τ − b_τ)·Σ_{rows of B_τ} ∇_φ log π_φ(a|s), where Ĵ_τ, the post-adaptation batch's mean episode return
/// divided by its mean episode length, is on the scale of g' (per-step row weights 1/|B'|), and b_τ, the mean of the
/// other tasks' Ĵ, does not depend on B_τ, so the baseline leaves the estimator unbiased (b = 0 with one task).
/// </summary>
public static class BatchScoreTerm
{
    /// <summary>Ĵ of one post-adaptation batch: mean episode return over mean episode length (valid rows / episodes).</summary>
    public static double ReturnPerStep(double meanEpisodeReturn, int validRows, int episodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        return meanEpisodeReturn * episodes / validRows;
    }

    /// <summary>
    /// result += (Ĵ_τ − b_τ)·Σ_rows ∇_φ log π_φ on task <paramref name="task"/>'s pre-adaptation rows, Ĵ of every task
    /// in <paramref name="returns"/> (<see cref="ReturnPerStep"/>, in task order).
    /// </summary>
    public static void Add(BatchObjectives objectives, ReadOnlySpan<double> phi, PolicyBatch preRows, IReadOnlyList<double> returns,
        int task, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(returns);
        int n = returns.Count;
        double own = 0, others = 0;
        for (int i = 0; i < n; i++)
        {
            double j = returns[i];
            if (i == task)
            {
                own = j;
            }
            else
            {
                others += j;
            }
        }

        double baseline = n > 1 ? others / (n - 1) : 0;
        AddScore(objectives, phi, preRows, own - baseline, result);
    }

    /// <summary>result += coefficient·∇_φ Σ_rows log π_φ(a|s) (the score of the whole batch).</summary>
    public static void AddScore(BatchObjectives objectives, ReadOnlySpan<double> phi, PolicyBatch rows, double coefficient,
        Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(rows);
        var ones = new double[rows.Rows];
        Array.Fill(ones, 1.0);
        var score = new double[result.Length];
        objectives.WeightedLogProb(phi, rows, ones, score);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] += coefficient * score[i];
        }
    }
}
