using BoMrl.Configuration;
using BoMrl.Meta;

namespace BoMrl.Tests;

/// <summary>
/// The cluster's recovery, without a cluster: a task collected anew and given the encoded steps that changed its state,
/// in order, answers every later step with the same bits as the task that never left.
/// </summary>
public sealed class TaskReplayTests
{
    private static PerTaskMetaLearner Learner(string algorithm, string metaUpdate) => (PerTaskMetaLearner)MetaLearners.Create(ConfigLoader.Parse($$"""
        {
          "env": { "name": "navigation2d" },
          "policy": { "hidden_sizes": [8] },
          "sampler": { "meta_batch_size": 3, "episodes_per_task": 4, "horizon": 15, "threads": 1 },
          "algorithm": {{algorithm}},
          "meta_update": {{metaUpdate}}
        }
        """), 11);

    [Theory]
    [InlineData("""{ "name": "bomrl", "distance": "kl2", "lambda": 1.0, "inner_iterations": 10, "lambda_learning": "meta", "hypergradient_terms": "full" }""", """{ "method": "trpo" }""")]
    [InlineData("""{ "name": "maml-trpo", "fast_lr": 0.1 }""", """{ "method": "trpo" }""")]
    [InlineData("""{ "name": "emaml" }""", """{ "method": "trpo" }""")]
    [InlineData("""{ "name": "promp" }""", """{ "method": "adam", "lr": 0.001 }""")]
    public void A_task_rebuilt_by_replaying_its_state_changing_steps_answers_like_the_one_that_was_never_lost(string algorithm, string metaUpdate)
    {
        using PerTaskMetaLearner learner = Learner(algorithm, metaUpdate);
        MetaLearnerState state = learner.GetState();
        double[][] tasks = PerTaskMetaLearner.SampleTasks(learner.TaskDistribution, learner.TrainingSetup.Seed, 0, 3);
        var kept = new LocalTaskExecutor(learner);
        CollectedIteration collected = kept.Collect(0, state, tasks);
        var replay = new List<string>();
        TaskStep[] changing = [new MetaGradientStep([.. collected.Tasks.Select(t => t.Statistics)]), new PrepareOldQuantities()];
        foreach (TaskStep step in changing)
        {
            Run(kept, step);
            if (step.ChangesTaskState())
            {
                replay.Add(TaskCodec.Encode(step));
            }
        }

        double[] candidate = [.. state.Phi.Select((p, j) => p + 1e-3 * Math.Sin(j + 1))];
        TaskStep[] queries = algorithm.Contains("promp", StringComparison.Ordinal)
            ? [new TrialStep(candidate), new TrialKlStep(candidate), new ProMpOuterGradient(candidate)]
            : [new TrialStep(candidate), new TrialKlStep(candidate), new CurvatureProductStep(candidate)];
        string[] expected = [.. queries.Select(q => Run(kept, q))];

        var rebuilt = new LocalTaskExecutor(learner);
        rebuilt.Collect(0, state, tasks);
        Assert.Equal(2, replay.Count);
        foreach (string json in replay)
        {
            Run(rebuilt, TaskCodec.Decode<TaskStep>(json));
        }

        string[] actual = [.. queries.Select(q => Run(rebuilt, TaskCodec.Decode<TaskStep>(TaskCodec.Encode(q))))];
        Assert.Equal(expected, actual);
    }

    /// <summary>Runs a step on every task and returns the replies' exact encoding.</summary>
    private static string Run(LocalTaskExecutor executor, TaskStep step) => step switch
    {
        MetaGradientStep s => TaskCodec.Encode(executor.Run(s)),
        PrepareOldQuantities s => TaskCodec.Encode(executor.Run(s)),
        TrialStep s => TaskCodec.Encode(executor.Run(s)),
        TrialKlStep s => TaskCodec.Encode(executor.Run(s)),
        CurvatureProductStep s => TaskCodec.Encode(executor.Run(s)),
        ProMpOuterGradient s => TaskCodec.Encode(executor.Run(s)),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.GetType().Name),
    };
}
