using BoMrl.Configuration;
using BoMrl.Meta;

namespace BoMrl.Runs;

/// <summary>
/// A trained run folder opened from code (what <c>bomrl test</c> and <c>bomrl export</c> read): its config builds the
/// learner, and the latest checkpoint, or the one kept after N iterations, restores φ and the learner's own state. Then
/// <see cref="PerTaskMetaLearner.AdaptTo"/> adapts φ to new tasks with the run's own method.
/// </summary>
public static class TrainedRun
{
    /// <summary>The learner of the run in <paramref name="directory"/> at its latest or kept checkpoint.</summary>
    /// <exception cref="InvalidDataException">No such checkpoint, or one of another algorithm or φ shape than config.json builds.</exception>
    public static PerTaskMetaLearner Load(string directory, int? iteration = null)
    {
        var folder = new RunFolder(directory);
        TrainConfig config = folder.ReadConfig();
        Checkpoint checkpoint = folder.ReadCheckpoint(iteration) ?? throw new InvalidDataException(iteration is int k
            ? $"{directory}: no checkpoint kept after {k} iterations" : $"{directory}: no checkpoint (train the run first)");
        IMetaLearner learner = MetaLearners.Create(config, config.Seed);
        if (learner.Algorithm != checkpoint.Algorithm || learner.GetState().Phi.Length != checkpoint.Phi.Length)
        {
            throw new InvalidDataException(
                $"{directory}: the checkpoint ({checkpoint.Algorithm}, {checkpoint.Phi.Length} parameters) is not what config.json builds ({learner.Algorithm})");
        }

        learner.SetState(checkpoint.ToState());
        return learner as PerTaskMetaLearner
            ?? throw new InvalidDataException($"{directory}: {learner.Algorithm} is not a per-task meta-learner");
    }
}
