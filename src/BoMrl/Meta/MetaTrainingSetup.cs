using BoMrl.Environments;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// What every practical meta-learner shares (docs/design.md §5, Algorithm 2): the task family, the policy, N tasks per
/// meta-iteration, episodes per task per adaptation step, advantage estimation, threads and the root seed.
/// </summary>
/// <param name="Tasks">The task distribution P(Γ).</param>
/// <param name="Policy">The policy architecture π_θ.</param>
/// <param name="MetaBatchSize">Tasks N per meta-iteration.</param>
/// <param name="EpisodesPerTask">Episodes per task per batch (pytorch-maml-rl's fast-batch-size).</param>
/// <param name="Advantages">Returns, linear baseline, GAE, normalisation.</param>
/// <param name="Threads">Threads for sampling and per-task work; 0 = all cores. Results do not depend on it.</param>
/// <param name="Seed">Root seed: iteration k uses only streams derived from (Seed, k).</param>
public sealed record MetaTrainingSetup(ITaskDistribution Tasks, IDifferentiablePolicy Policy, int MetaBatchSize, int EpisodesPerTask,
    AdvantageOptions Advantages, int Threads, long Seed)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tasks);
        ArgumentNullException.ThrowIfNull(Policy);
        ArgumentNullException.ThrowIfNull(Advantages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MetaBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EpisodesPerTask);
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        Advantages.Validate();
    }
}
