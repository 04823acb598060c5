using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using BoMrl.Experiments;
using BoMrl.Meta;
using BoMrl.Sampling;
using Microsoft.Extensions.Hosting;

namespace BoMrl.Cluster.Tests;

public class TaskGrainTests
{
    private const long Seed = 7;

    [RedisFact]
    public async Task Pre_adaptation_batches_collected_on_a_worker_silo_equal_the_local_run_bit_for_bit()
    {
        var clock = Stopwatch.StartNew();
        TrainConfig config = ConfigLoader.Load(Path.Combine(RepoRoot(), "configs", "navigation2d-maml-trpo.json"),
            new JsonObject { ["sampler"] = new JsonObject { ["meta_batch_size"] = 3, ["episodes_per_task"] = 4, ["threads"] = 1 } });
        var run = new RunSpec(ConfigLoader.ToJson(config), Seed);

        // The local run: φ before each of two iterations, each iteration's per-task batches and its metrics.
        var phis = new double[2][];
        var localTasks = new double[2][];
        var localMetric = new double[2];
        MetaTrainingSetup setup = MetaLearners.CreateSetup(config, Seed);
        using (var learner = (PerTaskMetaLearner)MetaLearners.Create(config, Seed))
        using (var sampler = new LockstepSampler(setup.Tasks, setup.Policy, setup.EpisodesPerTask, threads: 1))
        {
            for (int k = 0; k < 2; k++)
            {
                phis[k] = learner.Phi;
                double[][] tasks = PerTaskMetaLearner.SampleTasks(setup.Tasks, Seed, k, setup.MetaBatchSize);
                localTasks[k] = sampler.Sample(tasks, [phis[k]], Seed, 2L * k).Select(b => b.MeanEpisodeReturn()).ToArray();
                localMetric[k] = learner.Iterate(k).PreAdaptationReturn;
            }
        }

        Assert.NotEqual(phis[0], phis[1]);
        using RedisServer redis = RedisServer.Start();
        using IHost worker = await ClusterHosting.StartWorkerAsync(redis.Address, IPAddress.Loopback, RedisServer.FreePort(), RedisServer.FreePort());
        (IHost clientHost, IClusterClient client) = await ClusterHosting.ConnectAsync(redis.Address);
        using (clientHost)
        {
            for (int k = 0; k < 2; k++)
            {
                var calls = new Task<PreAdaptationSummary>[setup.MetaBatchSize];
                for (int i = 0; i < calls.Length; i++)
                {
                    calls[i] = client.GetGrain<ITaskGrain>(new TaskKey("test", k, i).ToString()).CollectPreAdaptation(run, phis[k]);
                }

                PreAdaptationSummary[] remote = await Task.WhenAll(calls);
                for (int i = 0; i < remote.Length; i++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(localTasks[k][i]), BitConverter.DoubleToInt64Bits(remote[i].MeanEpisodeReturn));
                    Assert.Equal(setup.EpisodesPerTask, remote[i].Episodes);
                }

                // Reduced in task order on the learner's side, as the local iteration's metrics reduce them.
                double mean = remote.Select(r => r.MeanEpisodeReturn).Average();
                Assert.Equal(BitConverter.DoubleToInt64Bits(localMetric[k]), BitConverter.DoubleToInt64Bits(mean));
            }

            await clientHost.StopAsync();
        }

        await worker.StopAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Task_keys_round_trip_and_bad_ones_are_named()
    {
        var key = new TaskKey("run-1", 12, 3);
        Assert.Equal("run-1/12/3", key.ToString());
        Assert.Equal(key, TaskKey.Parse("run-1/12/3"));
        Assert.Contains("'run/1'", Assert.Throws<FormatException>(() => TaskKey.Parse("run/1")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TaskKey("a/b", 0, 0).ToString());
        Assert.Equal("10.0.0.5:6379", ClusterHosting.RedisConnectionString("redis://10.0.0.5:6379"));
        Assert.Contains("redis://HOST:PORT", Assert.Throws<FormatException>(() => ClusterHosting.RedisConnectionString("10.0.0.5:6379")).Message,
            StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        string? d = AppContext.BaseDirectory;
        while (d is not null && !File.Exists(Path.Combine(d, "BoMrl.slnx")))
        {
            d = Path.GetDirectoryName(d);
        }

        return d ?? throw new InvalidOperationException("repository root not found");
    }
}
