using System.Diagnostics;
using BoMrl.Cli;
using BoMrl.IO;
using BoMrl.Meta;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// Run folders under conditions a bad-input row cannot set up: a read-only file system (told apart from a folder in
/// use), one writer per folder for <c>test</c> too, readers that refuse a folder being written, and a full disk while a
/// kept checkpoint is written.
/// </summary>
public sealed class RunFolderHardeningTests : IDisposable
{
    private const string GoodConfig = """
        { "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "kl2" },
          "iterations": 4, "seed": 5, "checkpoint_every": 2, "test": { "steps": 2, "tasks": 7 } }
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-hard-").FullName;

    public RunFolderHardeningTests() => File.WriteAllText(P("good.json"), GoodConfig);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    private static (int Code, string Out, string Err) Cli(params string[] args) => Cli(null, args);

    /// <summary>Runs the CLI in-process; <paramref name="duringTest"/> runs inside the meta-test of a <c>test</c> verb.</summary>
    private static (int Code, string Out, string Err) Cli(Action? duringTest, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, new CliContext(stdout, stderr, c => new HookedLearner(new FakeMetaLearner(c.Seed), duringTest)));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneLine(int expectedCode, (int Code, string Out, string Err) r, string fragment)
    {
        string err = r.Err.TrimEnd();
        Assert.True(expectedCode == r.Code, $"exit {r.Code}, expected {expectedCode}: {err}");
        Assert.Single(err.Split('\n'));
        Assert.Contains(fragment, err);
        Assert.DoesNotContain("   at ", err);
    }

    private static IOException Errno(string message, int errno) => new(message, errno);

    [Fact]
    public void A_read_only_folder_is_called_read_only_not_in_use_and_a_folder_made_for_a_refused_run_is_removed()
    {
        Assert.Equal(0, Cli("train", "--config", P("good.json"), "--out", P("run")).Code);
        Assert.True(File.Exists(P("run", RunLock.FileName))); // the case that was read as contention: the .lock file exists
        using (FaultInjection.Install(p => p.EndsWith(RunLock.FileName, StringComparison.Ordinal) ? Errno("Read-only file system", 30) : null))
        {
            AssertOneLine(2, Cli("train", "--out", P("run"), "--resume", "--iterations", "6"), $"cannot write to {P("run")}: read-only file system");
            AssertOneLine(2, Cli("test", "--run", P("run")), $"cannot write to {P("run")}: read-only file system");
            AssertOneLine(2, Cli("frozenlake", "--variance", "high", "--distance", "kl1", "--out", P("fresh", "fl")), "read-only file system");
            Assert.False(Directory.Exists(P("fresh", "fl")), "the folder made for a refused run was left behind");
        }

        using (FaultInjection.Install(p => p.EndsWith(RunLock.FileName, StringComparison.Ordinal) ? new UnauthorizedAccessException("Access denied") : null))
        {
            AssertOneLine(2, Cli("train", "--config", P("good.json"), "--out", P("denied")), $"cannot write to {P("denied")}: permission denied");
            Assert.False(Directory.Exists(P("denied")));
        }

        Assert.Equal(0, Cli("train", "--out", P("run"), "--resume", "--iterations", "6").Code); // nothing was held or broken
    }

    [Fact]
    public void A_read_only_mount_is_called_read_only_also_for_root()
    {
        // chmod does not stop root, a read-only mount does. Where mounting is not permitted (no root, no CAP_SYS_ADMIN),
        // the seam test above covers the same path and this one has nothing to check.
        string mnt = P("mnt");
        Directory.CreateDirectory(mnt);
        if (!Shell($"mount -t tmpfs -o size=16m tmpfs '{mnt}'"))
        {
            return;
        }

        try
        {
            Assert.Equal(0, Cli("train", "--config", P("good.json"), "--out", Path.Combine(mnt, "run")).Code);
            Assert.True(Shell($"mount -o remount,ro '{mnt}'"));
            AssertOneLine(2, Cli("train", "--out", Path.Combine(mnt, "run"), "--resume", "--iterations", "6"), "read-only file system");
            AssertOneLine(2, Cli("test", "--run", Path.Combine(mnt, "run")), "read-only file system");
            AssertOneLine(2, Cli("train", "--config", P("good.json"), "--out", Path.Combine(mnt, "new")), "read-only file system");
            Assert.Equal(0, Cli("compare", "--runs", Path.Combine(mnt, "run"), "--metric", "kl", "--out", P("kl.png")).Code); // reading still works
        }
        finally
        {
            Shell($"umount '{mnt}'");
        }
    }

    [Fact]
    public void Test_claims_the_run_folder_so_a_train_or_a_second_test_cannot_write_it_meanwhile()
    {
        Assert.Equal(0, Cli("train", "--config", P("good.json"), "--out", P("run")).Code);
        using (RunLock.Acquire(P("run"))) // a train in progress
        {
            AssertOneLine(2, Cli("test", "--run", P("run")), $"in use by another bomrl process (PID {Environment.ProcessId}); wait for it to finish, then test");
            Assert.False(File.Exists(P("run", "test.json")));
        }

        (int Code, string Out, string Err) second = default, force = default, compare = default;
        var first = Cli(() =>
        {
            second = Cli("test", "--run", P("run"));
            force = Cli("train", "--config", P("good.json"), "--out", P("run"), "--force");
            compare = Cli("compare", "--runs", P("run"), "--metric", "kl", "--out", P("kl.png"));
        }, "test", "--run", P("run"), "--tasks", "3");
        Assert.Equal(0, first.Code);
        AssertOneLine(2, second, "in use by another bomrl process");
        AssertOneLine(2, force, "in use by another bomrl process");
        AssertOneLine(2, compare, "in use by another bomrl process");
        Assert.Contains("compare it when that has finished", compare.Err);
        Assert.Equal(4, new RunFolder(P("run")).ReadTestReport().Iterations); // the old run's test, of the old run
        Assert.False(File.Exists(P("run", RunLock.PidFileName)));

        // Once the test is done, train --force starts over and removes the old run's test.json with it.
        Assert.Equal(0, Cli("train", "--config", P("good.json"), "--out", P("run"), "--force", "--iterations", "2").Code);
        Assert.False(File.Exists(P("run", "test.json")));
    }

    [Fact]
    public void A_full_disk_at_a_kept_checkpoint_is_one_line_and_resume_writes_the_kept_checkpoint_it_missed()
    {
        Assert.Equal(0, Cli("train", "--config", P("good.json"), "--out", P("whole")).Code);
        foreach (string kept in (string[])["iteration-0000.json", "iteration-0004.json"])
        {
            string dir = P(kept);
            using (FaultInjection.Install(p => p.EndsWith(kept, StringComparison.Ordinal) ? Errno("No space left on device", 28) : null))
            {
                var full = Cli("train", "--config", P("good.json"), "--out", dir);
                AssertOneLine(2, full, $"cannot write to {dir}: no space left on device");
                Assert.Contains($"continue with: bomrl train --out {dir} --resume", full.Err);
            }

            Assert.DoesNotContain(kept[..^5].Replace("iteration-", "", StringComparison.Ordinal).TrimStart('0') is var k && k.Length == 0 ? 0 : int.Parse(k, System.Globalization.CultureInfo.InvariantCulture),
                new RunFolder(dir).KeptIterations());
            var resumed = Cli("train", "--out", dir, "--resume");
            Assert.Equal(0, resumed.Code);
            var folder = new RunFolder(dir);
            Assert.Equal([0, 2, 4], folder.KeptIterations());
            Assert.Equal(0, folder.ReadCheckpoint(0)!.CompletedIterations);
            Assert.Equal(0, Cli("test", "--run", dir, "--iteration", "0", "--tasks", "1").Code);
            Assert.Equal(TrainerTests.DeterministicColumns(P("whole", "metrics.csv")), TrainerTests.DeterministicColumns(folder.MetricsPath));
            Assert.Equal(new RunFolder(P("whole")).ReadCheckpoint(4)!.Phi, folder.ReadCheckpoint(4)!.Phi);
        }
    }

    private static bool Shell(string command)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command + " 2>/dev/null"]) { RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>A learner that runs <paramref name="duringTest"/> once inside its meta-test (another verb while <c>test</c> holds the folder).</summary>
    private sealed class HookedLearner(IMetaLearner inner, Action? duringTest) : IMetaLearner
    {
        public string Algorithm => inner.Algorithm;

        public MetaLearnerState GetState() => inner.GetState();

        public void SetState(MetaLearnerState state) => inner.SetState(state);

        public IterationMetrics Iterate(int iteration) => inner.Iterate(iteration);

        public MetaTestResult MetaTest(int steps, int tasks, long seed, Action<int, double>? afterStep = null)
        {
            duringTest?.Invoke();
            return inner.MetaTest(steps, tasks, seed, afterStep);
        }
    }
}
