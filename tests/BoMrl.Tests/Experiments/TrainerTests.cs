using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-trainer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>metrics.csv without the measured wall-time column (the only column that may differ between runs).</summary>
    internal static string[] DeterministicColumns(string metricsCsv)
    {
        // Every column but the measured wall times (named time_...).
        string[] lines = File.ReadAllLines(metricsCsv);
        bool[] keep = lines[0].Split(',').Select(h => !h.StartsWith("time_", StringComparison.Ordinal)).ToArray();
        return lines.Select(l => string.Join(',', l.Split(',').Where((_, i) => keep[i]))).ToArray();
    }

    [Fact]
    public void Resume_after_a_kill_reproduces_the_uninterrupted_run_exactly()
    {
        var whole = new RunFolder(Path.Combine(_root, "whole"));
        Trainer.Run(whole, new FakeMetaLearner(3), 8, resume: null);

        // Killed during iteration 5: the folder keeps the checkpoint after iteration 4.
        var killed = new RunFolder(Path.Combine(_root, "killed"));
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(killed, new FakeMetaLearner(3) { CrashAt = 5 }, 8, resume: null));
        Checkpoint? at5 = killed.ReadCheckpoint();
        Assert.NotNull(at5);
        Assert.Equal(5, at5.CompletedIterations);
        Assert.Equal(6, File.ReadAllLines(killed.MetricsPath).Length);

        // Simulate the worst moment of a kill -9: checkpoint written, metrics.csv still two rows behind, and a
        // half-written temporary file left over by the atomic writer.
        string[] lines = File.ReadAllLines(killed.MetricsPath);
        File.WriteAllLines(killed.MetricsPath, lines[..4]);
        File.WriteAllText(Path.Combine(killed.Path, ".metrics.csv.999.0123.tmp"), "iteration,pre_ret");

        var fresh = new FakeMetaLearner(3);
        IReadOnlyList<MetricsRow> rows = Trainer.Run(killed, fresh, 8, at5);
        Assert.Equal(3, fresh.Calls); // only iterations 5, 6, 7 ran again
        Assert.Equal(8, rows.Count);
        Assert.Equal(DeterministicColumns(whole.MetricsPath), DeterministicColumns(killed.MetricsPath));
        Checkpoint a = whole.ReadCheckpoint()!;
        Checkpoint b = killed.ReadCheckpoint()!;
        Assert.Equal(a.Phi, b.Phi);
        Assert.Equal(a.OptimizerState, b.OptimizerState);
        Assert.Equal(8, b.CompletedIterations);
        Assert.Empty(Directory.GetFiles(killed.Path, ".*.tmp"));
    }

    [Fact]
    public void Metrics_csv_has_the_documented_columns_and_one_row_per_iteration()
    {
        var folder = new RunFolder(Path.Combine(_root, "m"));
        var seen = new List<TrainingProgress>();
        Trainer.Run(folder, new FakeMetaLearner(1), 3, null, seen.Add);
        string[] lines = File.ReadAllLines(folder.MetricsPath);
        Assert.Equal("iteration,pre_return,post_return,kl,step_accepted,cg_residual,negative_curvature," +
            "hypergradient_damping,time_sampling_s,time_inner_s,time_hypergradient_s,time_meta_update_s,time_total_s,inner_kl,inner_grad_norm,lambda", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("2,", lines[3]);
        Assert.Equal([1, 2, 3], seen.Select(p => p.Completed));
        Assert.All(seen, p => Assert.Equal(3, p.Total));
    }

    [Fact]
    public void Resume_with_a_checkpoint_of_another_algorithm_is_refused()
    {
        var folder = new RunFolder(Path.Combine(_root, "other"));
        Trainer.Run(folder, new FakeMetaLearner(1, "bomrl-kl1"), 2, null);
        Assert.Throws<InvalidDataException>(() =>
            Trainer.Run(folder, new FakeMetaLearner(1, "maml-trpo"), 4, folder.ReadCheckpoint()));
    }
}
