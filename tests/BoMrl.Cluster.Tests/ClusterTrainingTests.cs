using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BoMrl.Cli;

namespace BoMrl.Cluster.Tests;

/// <summary>
/// `bomrl train --cluster` against redis-server and `bomrl worker` processes on loopback, compared with the local run
/// of the same config and seed: metrics.csv (every column but the times) and the checkpoint (φ, optimiser state, log λ)
/// must be equal bit for bit, whatever the number of workers, and after a worker is killed with kill -9.
/// </summary>
public sealed class ClusterTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bomrl-cluster-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RedisFact]
    public void Cluster_runs_equal_the_local_run_bit_for_bit_with_three_two_and_one_workers_for_every_learner()
    {
        var clock = Stopwatch.StartNew();
        using RedisServer redis = RedisServer.Start();
        var workers = new List<WorkerProcess>();
        try
        {
            for (int w = 0; w < 3; w++)
            {
                workers.Add(WorkerProcess.Start(redis.Address));
            }

            // Three workers: BO-MRL D2 with a meta-learned λ and the full hypergradient (per-task statistics and extras travel).
            string kl2 = Config("navigation2d-bomrl-kl2.json", c =>
            {
                c["algorithm"]!["lambda_learning"] = "meta";
                c["algorithm"]!["hypergradient_terms"] = "full";
            });
            AssertClusterEqualsLocal(kl2, redis.Address, workers: 3);

            // Two workers (one left cleanly): E-MAML (MAML-TRPO's Fisher through the adaptation, plus reward moments).
            workers[2].Stop();
            AssertClusterEqualsLocal(Config("navigation2d-emaml.json"), redis.Address, workers: 2);

            // One worker: ProMP (several optimiser steps per batch, each a per-task gradient at an inner φ).
            workers[1].Stop();
            AssertClusterEqualsLocal(Config("navigation2d-promp.json"), redis.Address, workers: 1);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }

        Console.WriteLine($"three cluster runs and their local twins: {clock.Elapsed.TotalSeconds:F1} s");
    }

    [RedisFact]
    public void A_worker_killed_mid_iteration_is_replaced_and_the_run_still_equals_the_local_one()
    {
        using RedisServer redis = RedisServer.Start();
        using WorkerProcess first = WorkerProcess.Start(redis.Address);
        using WorkerProcess second = WorkerProcess.Start(redis.Address);
        string config = SlowerConfig("navigation2d-bomrl-kl2.json", iterations: 4);
        string local = Path.Combine(_dir, "kill-local"), cluster = Path.Combine(_dir, "kill-cluster");
        Assert.Equal(0, Bomrl("train", "--config", config, "--out", local, "--threads", "1").Code);

        Task<(int Code, string Out, string Err)> run = Task.Run(() => Bomrl("train", "--config", config, "--out", cluster, "--cluster", redis.Address));
        WaitForIterations(cluster, 1, run);
        Thread.Sleep(700); // into iteration 1's collection or meta-gradients
        first.Kill();
        (int code, string stdout, string stderr) = Finish(run, TimeSpan.FromMinutes(4));

        Assert.True(code == 0, stderr);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(stdout, @"[1-9][0-9]* retried call"), stdout); // the kill hit work in progress, redone elsewhere
        AssertSameRun(local, cluster);
    }

    [RedisFact]
    public void Losing_every_worker_stops_the_run_in_one_line_and_it_resumes_on_the_cluster_to_the_local_result()
    {
        using RedisServer redis = RedisServer.Start();
        string config = SlowerConfig("navigation2d-maml-trpo.json", iterations: 3);
        string local = Path.Combine(_dir, "lost-local"), cluster = Path.Combine(_dir, "lost-cluster");
        Assert.Equal(0, Bomrl("train", "--config", config, "--out", local, "--threads", "1").Code);

        (int Code, string Out, string Err) stopped;
        using (WorkerProcess only = WorkerProcess.Start(redis.Address))
        {
            Task<(int Code, string Out, string Err)> run = Task.Run(() =>
                Bomrl("train", "--config", config, "--out", cluster, "--cluster", redis.Address, "--cluster-wait", "4"));
            WaitForIterations(cluster, 1, run);
            only.Kill();
            stopped = Finish(run, TimeSpan.FromMinutes(4));
        }

        Assert.True(stopped.Code == 1, $"exit {stopped.Code}: {stopped.Out} | {stopped.Err}");
        string line = Assert.Single(stopped.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no live worker", line, StringComparison.Ordinal);
        Assert.Contains($"--resume --cluster {redis.Address}", line, StringComparison.Ordinal);

        using WorkerProcess back = WorkerProcess.Start(redis.Address);
        (int code, _, string stderr) = Bomrl("train", "--out", cluster, "--resume", "--cluster", redis.Address);
        Assert.True(code == 0, stderr);
        AssertSameRun(local, cluster);
    }

    [RedisFact]
    public void An_unreachable_or_malformed_cluster_address_is_one_line_and_exit_code_2_before_the_folder_is_touched()
    {
        string config = Config("navigation2d-maml-trpo.json");
        string folder = Path.Combine(_dir, "refused");
        var clock = Stopwatch.StartNew();
        foreach (string[] args in new[]
        {
            new[] { "--cluster", $"redis://127.0.0.1:{RedisServer.FreePort()}", "--cluster-wait", "3" },
            new[] { "--cluster", "http://127.0.0.1:6379" },
            new[] { "--cluster", "redis://127.0.0.1:6379", "--cluster-wait", "0" },
        })
        {
            (int code, _, string stderr) = Bomrl(["train", "--config", config, "--out", folder, .. args]);
            Assert.Equal(2, code);
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
            Assert.False(Directory.Exists(folder), $"{string.Join(' ', args)} created the run folder");
        }

        // Not a speed test: a refusal must come after the bounded wait (3 s here), never hang on the default 60 s or forever.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), $"refusals took {clock.Elapsed.TotalSeconds:F0} s");
    }

    [RedisFact]
    public void With_tls_only_peers_holding_the_clusters_certificate_join_and_the_run_still_equals_the_local_one()
    {
        string cert = Certificate("cluster"), other = Certificate("other");
        using RedisServer redis = RedisServer.Start();
        using WorkerProcess worker = WorkerProcess.Start(redis.Address, "--tls", cert);
        string config = Config("navigation2d-bomrl-kl2.json", c => c["iterations"] = 2);
        string local = Path.Combine(_dir, "tls-local"), remote = Path.Combine(_dir, "tls-cluster");
        Assert.Equal(0, Bomrl("train", "--config", config, "--out", local, "--threads", "1").Code);
        (int code, _, string stderr) = Bomrl("train", "--config", config, "--out", remote, "--cluster", redis.Address, "--tls", cert);
        Assert.True(code == 0, stderr);
        AssertSameRun(local, remote);

        foreach (string[] tls in new[] { Array.Empty<string>(), ["--tls", other] })
        {
            string refused = Path.Combine(_dir, "tls-refused");
            (code, _, stderr) = Bomrl(["train", "--config", config, "--out", refused, "--cluster", redis.Address, "--cluster-wait", "4", .. tls]);
            Assert.Equal(2, code);
            Assert.Contains("cannot join the cluster", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
            Assert.False(Directory.Exists(refused));
        }
    }

    /// <summary>A self-signed certificate with its key, as a PKCS#12 file without password.</summary>
    private string Certificate(string name)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN=bomrl-{name}", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string path = Path.Combine(_dir, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        return path;
    }

    [Fact]
    public void A_worker_refuses_another_build_and_another_config_under_the_same_run_id_in_words()
    {
        string json = File.ReadAllText(Config("navigation2d-maml-trpo.json"));
        using var runs = new WorkerRuns(1);
        var spec = new RunSpec(Configuration.ConfigLoader.ToJson(Configuration.ConfigLoader.Parse(json)), 1, ClusterBuild.Current);
        Assert.NotNull(runs.Get("run-a", spec));

        TaskWorkFailedException build = Assert.Throws<TaskWorkFailedException>(() => runs.Get("run-b", spec with { Build = "0.9.0 (build 12345678)" }));
        Assert.Contains("0.9.0 (build 12345678)", build.Message, StringComparison.Ordinal);
        Assert.Contains(ClusterBuild.Current, build.Message, StringComparison.Ordinal);

        TaskWorkFailedException other = Assert.Throws<TaskWorkFailedException>(() => runs.Get("run-a", spec with { Seed = 2 }));
        Assert.Contains("another config or seed", other.Message, StringComparison.Ordinal);
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

    /// <summary>Trains <paramref name="config"/> locally and on the cluster and compares the two runs bit for bit.</summary>
    private void AssertClusterEqualsLocal(string config, string cluster, int workers)
    {
        string name = Path.GetFileNameWithoutExtension(config);
        string local = Path.Combine(_dir, name + "-local"), remote = Path.Combine(_dir, name + "-cluster");
        (int code, _, string stderr) = Bomrl("train", "--config", config, "--out", local, "--threads", "2");
        Assert.True(code == 0, stderr);
        (code, string stdout, stderr) = Bomrl("train", "--config", config, "--out", remote, "--cluster", cluster);
        Assert.True(code == 0, stderr);
        Assert.Contains($"cluster: {workers} worker(s) in the last iteration", stdout, StringComparison.Ordinal);
        AssertSameRun(local, remote);
    }

    /// <summary>metrics.csv without the time columns, and the checkpoint's φ, optimiser state and log λ, equal as text (round-trip doubles).</summary>
    private static void AssertSameRun(string expected, string actual)
    {
        Assert.Equal(NonTimeColumns(expected), NonTimeColumns(actual));
        using JsonDocument a = JsonDocument.Parse(File.ReadAllText(Path.Combine(expected, "checkpoints", "latest.json")));
        using JsonDocument b = JsonDocument.Parse(File.ReadAllText(Path.Combine(actual, "checkpoints", "latest.json")));
        foreach (string field in new[] { "completed_iterations", "algorithm", "phi", "optimizer_state", "log_lambda" })
        {
            Assert.Equal(Raw(a, field), Raw(b, field));
        }
    }

    private static string Raw(JsonDocument d, string field) => d.RootElement.TryGetProperty(field, out JsonElement e) ? e.GetRawText() : "(absent)";

    private static string[] NonTimeColumns(string run)
    {
        string[] lines = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        string[] header = lines[0].Split(',');
        int[] keep = Enumerable.Range(0, header.Length).Where(c => !header[c].StartsWith("time_", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length > 1, $"{run}: no iteration in metrics.csv");
        return lines.Select(l => string.Join(',', keep.Select(c => l.Split(',')[c]))).ToArray();
    }

    /// <summary>The run's outcome, or a failure when it has not ended within <paramref name="limit"/> (a hung learner must not hang the suite).</summary>
    private static (int Code, string Out, string Err) Finish(Task<(int Code, string Out, string Err)> run, TimeSpan limit)
    {
        Assert.True(run.Wait(limit), $"the cluster run did not end within {limit.TotalMinutes:F0} min after the kill (its watch missed the lost worker)");
        return run.Result;
    }

    /// <summary>Waits until <paramref name="run"/>'s metrics.csv holds <paramref name="iterations"/> rows (or the training ends).</summary>
    private static void WaitForIterations(string run, int iterations, Task training)
    {
        string metrics = Path.Combine(run, "metrics.csv");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Length > iterations))
        {
            if (training.IsCompleted)
            {
                Assert.Fail($"training ended before iteration {iterations}: {(training as Task<(int, string, string)>)?.Result}");
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "no iteration within 120 s");
            Thread.Sleep(50);
        }
    }

    /// <summary>A shipped navigation config with iterations of several seconds (8 tasks × 10 episodes), so a kill lands mid-iteration.</summary>
    private string SlowerConfig(string shipped, int iterations) => Config(shipped, c =>
    {
        c["sampler"]!["meta_batch_size"] = 8;
        c["sampler"]!["episodes_per_task"] = 10;
        c["iterations"] = iterations;
    });

    /// <summary>A shipped navigation config, small (6 tasks × 5 episodes, 3 iterations) unless edited, written to the test folder.</summary>
    private string Config(string shipped, Action<JsonObject>? edit = null)
    {
        var c = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(WorkerProcess.RepoRoot(), "configs", shipped)))!;
        c["sampler"]!["meta_batch_size"] = 6;
        c["sampler"]!["episodes_per_task"] = 5;
        c["iterations"] = 3;
        edit?.Invoke(c);
        string path = Path.Combine(_dir, shipped);
        File.WriteAllText(path, c.ToJsonString());
        return path;
    }

    private static (int Code, string Out, string Err) Bomrl(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
