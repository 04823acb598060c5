using System.Collections.Concurrent;
using System.Diagnostics;
using BoMrl.IO;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// SIGTERM on the real program (a child process of the built CLI): <c>train</c> finishes the iteration in progress,
/// writes its checkpoint, prints the resume command and exits 143; any other verb exits 143 at once; neither leaves a
/// stale .lock.pid.
/// </summary>
public sealed class SignalTests : IDisposable
{
    private const string Config = """
        { "env": { "name": "navigation2d" }, "algorithm": { "name": "maml-trpo" }, "iterations": 100000, "seed": 5,
          "sampler": { "meta_batch_size": 2, "episodes_per_task": 2, "horizon": 10 }, "test": { "steps": 1, "tasks": 2 } }
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-signal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    [Fact]
    public void SIGTERM_stops_train_after_the_iteration_in_progress_with_exit_143_and_any_other_verb_at_once()
    {
        File.WriteAllText(P("c.json"), Config);
        (int code, string err) = RunUntilSignalled(["train", "--config", P("c.json"), "--out", P("run")], "iteration 2/");
        Assert.Equal(143, code);
        Assert.Contains("bomrl: SIGTERM: stopping after the meta-iteration in progress", err);
        Assert.Contains($"continue with: bomrl train --out {P("run")} --resume", err);
        Assert.False(File.Exists(P("run", RunLock.PidFileName)), "a stale .lock.pid");
        var folder = new RunFolder(P("run"));
        Checkpoint c = folder.ReadCheckpoint()!;
        Assert.True(c.CompletedIterations >= 2);
        Assert.Equal(c.CompletedIterations + 1, File.ReadAllLines(folder.MetricsPath).Length); // the iteration in progress was kept

        (code, err) = RunUntilSignalled(["test", "--run", P("run"), "--steps", "1000000", "--tasks", "2"], "testing ");
        Assert.Equal(143, code);
        Assert.Equal("bomrl: terminated", err.Trim());
        Assert.False(File.Exists(P("run", RunLock.PidFileName)), "a stale .lock.pid");
        Assert.False(File.Exists(folder.TestReportPath));
    }

    /// <summary>Starts the CLI, sends SIGTERM once stdout shows <paramref name="ready"/>, and returns its exit code and stderr.</summary>
    private static (int Code, string Err) RunUntilSignalled(string[] args, string ready)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(CliDll());
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var lines = new BlockingCollection<string>();
        var err = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is { } l) { lines.Add(l); } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } l) { lock (err) { err.AppendLine(l); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!(lines.TryTake(out string? line, TimeSpan.FromSeconds(1)) && line.StartsWith(ready, StringComparison.Ordinal)))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120) && !p.HasExited, $"never printed '{ready}': {err}");
            }

            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "did not stop after SIGTERM");
            p.WaitForExit(); // drains the redirected streams
            lock (err)
            {
                return (p.ExitCode, err.ToString());
            }
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill();
            }
        }
    }

    /// <summary>src/BoMrl.Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/BoMrl.Cli.dll, beside this test assembly's build.</summary>
    private static string CliDll()
    {
        // tests/BoMrl.Tests/bin/<Configuration>/<tfm>/ → src/BoMrl.Cli/bin/<Configuration>/<tfm>/BoMrl.Cli.dll
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = bin.Name, configuration = bin.Parent!.Name;
        string root = bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        string dll = Path.Combine(root, "src", "BoMrl.Cli", "bin", configuration, tfm, "BoMrl.Cli.dll");
        Assert.True(File.Exists(dll), $"build the CLI first: {dll}");
        return dll;
    }
}
