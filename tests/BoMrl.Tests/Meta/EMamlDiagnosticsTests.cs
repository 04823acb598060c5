using BoMrl.Configuration;
using BoMrl.Meta;

namespace BoMrl.Tests.Meta;

/// <summary>E-MAML's per-task diagnostics reach the learner through its own per-task step.</summary>
public sealed class EMamlDiagnosticsTests
{
    [Fact]
    public void A_meta_iteration_reports_every_tasks_exploration_coefficient()
    {
        using var learner = (EMamlLearner)MetaLearners.Create(ConfigLoader.Parse("""
            {
              "env": { "name": "navigation2d" },
              "policy": { "hidden_sizes": [8] },
              "sampler": { "meta_batch_size": 3, "episodes_per_task": 4, "horizon": 15, "threads": 1 },
              "algorithm": { "name": "emaml", "exploration_weight": 0.5 },
              "meta_update": { "method": "trpo" }
            }
            """), 5);
        learner.Iterate(0);
        Assert.Equal(3, learner.ExplorationCoefficients.Length);
        Assert.All(learner.ExplorationCoefficients, c => Assert.True(double.IsFinite(c) && c != 0));
    }
}
