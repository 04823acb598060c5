using System.Text.Json.Nodes;
using BoMrl.Cli;
using BoMrl.Meta;
using BoMrl.Runs;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests.Meta;

/// <summary>
/// Adapting a trained run's meta-policy to new tasks from code (<see cref="TrainedRun.Load"/>,
/// <see cref="PerTaskMetaLearner.AdaptTo"/>) is the meta-test's code path: the same tasks and seed give test.json's
/// numbers bit for bit.
/// </summary>
public sealed class AdaptToTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-adapt-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Cli(params string[] args)
    {
        var err = new StringWriter();
        Assert.True(Program.Run(args, new StringWriter(), err) == 0, err.ToString());
    }

    [Theory]
    [InlineData("navigation2d-bomrl-kl2.json")]
    [InlineData("navigation2d-maml-trpo.json")]
    public void Adapting_a_loaded_run_to_the_test_tasks_reproduces_its_meta_test(string configName)
    {
        JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(TrainConfigTests.RepoRoot(), "configs", configName)))!;
        config["sampler"]!["meta_batch_size"] = 3;
        config["sampler"]!["episodes_per_task"] = 4;
        string path = Path.Combine(_root, configName);
        File.WriteAllText(path, config.ToJsonString());
        string run = Path.Combine(_root, "run-" + configName);
        Cli("train", "--config", path, "--out", run, "--iterations", "1", "--seed", "4");
        Cli("test", "--run", run, "--steps", "2", "--tasks", "3", "--seed", "9");
        double[] tested = new RunFolder(run).ReadTestReport().ReturnsByStep;

        PerTaskMetaLearner learner = TrainedRun.Load(run);
        double[][] tasks = PerTaskMetaLearner.SampleTasks(learner.TaskDistribution, 9, -2, 3);
        AdaptationTrace trace = learner.AdaptTo(tasks, 2, 9);
        Assert.Equal(tested, trace.Returns.Select(r => r.Average()).ToArray());
        Assert.Equal(learner.GetState().Phi, trace.Thetas[0][1]);
        Assert.NotEqual(trace.Thetas[0][1], trace.Adapted[1]); // adaptation moved the policy

        AdaptationTrace again = TrainedRun.Load(run).AdaptTo(tasks, 2, 9);
        Assert.Equal(trace.Adapted.SelectMany(t => t), again.Adapted.SelectMany(t => t));
    }

    [Fact]
    public void Loading_a_checkpoint_that_was_not_kept_says_so()
    {
        string run = Path.Combine(_root, "r");
        Cli("train", "--config", Path.Combine(TrainConfigTests.RepoRoot(), "configs", "navigation2d-maml-trpo.json"), "--out", run,
            "--iterations", "0");
        var e = Assert.Throws<InvalidDataException>(() => TrainedRun.Load(run, 7));
        Assert.Contains("no checkpoint kept after 7 iterations", e.Message, StringComparison.Ordinal);
    }
}
