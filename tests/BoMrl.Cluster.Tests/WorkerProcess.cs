using System.Diagnostics;
using System.Globalization;

namespace BoMrl.Cluster.Tests;

/// <summary>
/// A <c>bomrl worker</c> process on loopback (the CLI this solution builds, run with <c>dotnet</c>), ready once it has
/// joined the cluster; <see cref="Kill"/> is kill -9, <see cref="Stop"/> a SIGTERM (it leaves the membership cleanly).
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    /// <summary>The CLI assembly of the same configuration as this test assembly.</summary>
    public static string CliAssembly
    {
        get
        {
            // tests/BoMrl.Cluster.Tests/bin/<Configuration>/<tfm>/ → src/BoMrl.Cli/bin/<Configuration>/<tfm>/BoMrl.Cli.dll
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string tfm = here.Name, configuration = here.Parent!.Name;
            return Path.Combine(RepoRoot(), "src", "BoMrl.Cli", "bin", configuration, tfm, "BoMrl.Cli.dll");
        }
    }

    /// <summary>Starts a worker (1 task at once) and waits until it says it is ready (at most 60 s).</summary>
    public static WorkerProcess Start(string cluster, params string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = [CliAssembly, "worker", "--cluster", cluster, "--threads", "1",
            "--port", Port(), "--gateway-port", Port(), .. extra];
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("the worker did not start");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
                if (line.StartsWith("worker ready", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var worker = new WorkerProcess(process);
        if (!ready.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            worker.Dispose();
            throw new InvalidOperationException($"the worker did not get ready: {string.Join(" | ", log)}");
        }

        return worker;
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM, then waits for the worker to leave (at most 20 s).</summary>
    public void Stop()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        if (!_process.WaitForExit(20_000))
        {
            Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>The repository root (the folder holding BoMrl.slnx).</summary>
    public static string RepoRoot()
    {
        string? d = AppContext.BaseDirectory;
        while (d is not null && !File.Exists(Path.Combine(d, "BoMrl.slnx")))
        {
            d = Path.GetDirectoryName(d);
        }

        return d ?? throw new InvalidOperationException("repository root not found");
    }

    private static string Port() => RedisServer.FreePort().ToString(CultureInfo.InvariantCulture);
}
