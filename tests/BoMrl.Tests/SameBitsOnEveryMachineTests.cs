using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BoMrl.Cli;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests;

/// <summary>
/// Same seed, same bits, whatever the machine's vector extensions and thread count (docs/design.md §9): the golden
/// cases run in child processes of the CLI with the JIT's AVX-512, AVX2/FMA or all hardware intrinsics switched off
/// (the paths an older or smaller x64 machine takes), with glibc's SSE2 paths, and with one thread, and must give
/// exactly the recorded bits or this process's. Without AVX2 the kernels take their scalar paths with the C library's
/// fma (about 15× slower; 30× with glibc's software fma), so the navigation cases there use a smaller configuration of
/// the same code paths.
/// </summary>
public sealed class SameBitsOnEveryMachineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-samebits-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>.NET 10 reads DOTNET_EnableAVX512 (the older DOTNET_EnableAVX512F is ignored by it: set both).</summary>
    private static readonly (string Name, string Value)[] NoAvx512 = [("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX512F", "0")];

    /// <summary>Without AVX2 the JIT also drops FMA and 256-bit vectors: the scalar paths, fma from the C library.</summary>
    private static readonly (string Name, string Value)[] NoAvx2 = [("DOTNET_EnableAVX2", "0")];

    private static readonly (string Name, string Value)[] NoIntrinsics = [("DOTNET_EnableHWIntrinsic", "0")];

    /// <summary>
    /// No intrinsics, and glibc told to take its SSE2 paths: its fma is then the software one of a CPU without FMA
    /// (about 30× slower, so only for the Frozen Lake cases).
    /// </summary>
    private static readonly (string Name, string Value)[] NoIntrinsicsNoFmaCpu =
        [("DOTNET_EnableHWIntrinsic", "0"), ("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F")];

    private static void Child((string Name, string Value)[] environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BoMrl.Cli.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        using Process p = Process.Start(info)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)), $"bomrl {string.Join(' ', args)} did not finish in 5 minutes");
        Assert.True(p.ExitCode == 0, $"bomrl {string.Join(' ', args)} with {string.Join(' ', environment.Select(e => e.Name + "=" + e.Value))} exited {p.ExitCode}: {stderr.Result}");
    }

    private static void InProcess(params string[] args)
    {
        int code = Program.Run(args, new StringWriter(), new StringWriter());
        Assert.True(code == 0, $"bomrl {string.Join(' ', args)} exited {code}");
    }

    private static string[] FrozenLakeArgs(string distance, string outDir) =>
        ["frozenlake", "--variance", "high", "--distance", distance, "--iterations", "20", "--test-tasks", "10",
            "--train-tasks", "5", "--tasks-per-iteration", "5", "--rollouts", "5", "--out", outDir];

    private static List<string> Summary(string dir) =>
        GoldenRunTests.Leaves(JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement, "");

    [Fact]
    public void Golden_navigation_runs_give_the_recorded_bits_without_AVX512_on_one_thread()
    {
        foreach ((string config, string golden) in new[]
        {
            (GoldenRunTests.Golden("navigation2d-bomrl-kl2.json"), "nav-kl2.metrics.csv"),
            (Path.Combine(TrainConfigTests.RepoRoot(), "configs", "navigation2d-maml-trpo.json"), "nav-maml.metrics.csv"),
        })
        {
            string outDir = Path.Combine(_root, "no512-" + golden);
            Child(NoAvx512, "train", "--config", config, "--out", outDir, "--iterations", "3", "--seed", "1", "--threads", "1");
            Assert.Equal(File.ReadAllLines(GoldenRunTests.Golden(golden)).Where(l => l.Length > 0),
                GoldenRunTests.NonTimeColumns(Path.Combine(outDir, "metrics.csv")));
        }
    }

    [Theory]
    [InlineData("kl1")]
    [InlineData("kl2")]
    [InlineData("l2")]
    public void Golden_frozen_lake_studies_give_the_recorded_bits_as_on_a_cpu_without_vectors_or_fma(string distance)
    {
        string outDir = Path.Combine(_root, "nohw-fl-" + distance);
        Child(NoIntrinsicsNoFmaCpu, [.. FrozenLakeArgs(distance, outDir), "--threads", "1"]);
        var expected = GoldenRunTests.Leaves(JsonDocument.Parse(File.ReadAllText(GoldenRunTests.Golden($"frozenlake-high-{distance}.summary.json"))).RootElement, "");
        Assert.Equal(expected, Summary(outDir));
    }

    /// <summary>
    /// The two golden navigation configs at a twentieth of the data (4 tasks × 5 episodes, one iteration with its meta-update):
    /// the same code paths (sampler, inner solve, eq. (8) by CG, TRPO with line search) as the full runs.
    /// </summary>
    [Theory]
    [InlineData("kl2", "avx2")]
    [InlineData("kl2", "none")]
    [InlineData("maml", "avx2")]
    [InlineData("maml", "none")]
    public void Small_navigation_runs_give_the_same_bits_without_AVX2_or_without_any_hardware_intrinsics(string learner, string switchedOff)
    {
        string source = learner == "kl2"
            ? GoldenRunTests.Golden("navigation2d-bomrl-kl2.json")
            : Path.Combine(TrainConfigTests.RepoRoot(), "configs", "navigation2d-maml-trpo.json");
        JsonNode config = JsonNode.Parse(File.ReadAllText(source))!;
        config["sampler"]!["meta_batch_size"] = 4;
        config["sampler"]!["episodes_per_task"] = 5;
        string path = Path.Combine(_root, $"small-{learner}-{switchedOff}.json");
        File.WriteAllText(path, config.ToJsonString());

        string here = Path.Combine(_root, $"here-{learner}-{switchedOff}"), child = Path.Combine(_root, $"child-{learner}-{switchedOff}");
        InProcess("train", "--config", path, "--out", here, "--iterations", "1", "--seed", "3");
        Child(switchedOff == "avx2" ? NoAvx2 : NoIntrinsics, "train", "--config", path, "--out", child, "--iterations", "1", "--seed", "3", "--threads", "1");
        string[] expected = GoldenRunTests.NonTimeColumns(Path.Combine(here, "metrics.csv"));
        Assert.Equal(2, expected.Length);
        Assert.Equal(expected, GoldenRunTests.NonTimeColumns(Path.Combine(child, "metrics.csv")));
        Assert.Equal(File.ReadAllText(Path.Combine(here, "checkpoints", "latest.json")).Split("\"metrics\"")[0],
            File.ReadAllText(Path.Combine(child, "checkpoints", "latest.json")).Split("\"metrics\"")[0]);
    }

    /// <summary>
    /// MuJoCo tasks: libmujoco calls glibc's exp, log, pow, sin, cos, atan2, whose FMA paths round differently from
    /// the SSE2 ones (measured: a one-iteration half-cheetah run differs without the tunable). With glibc told to take
    /// its SSE2 paths (as bomrl.sh does) a run gives the same bits whatever .NET's vector extensions.
    /// </summary>
    [Fact]
    public void A_small_locomotion_run_gives_the_same_bits_without_AVX2_when_glibc_takes_its_portable_paths()
    {
        JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(TrainConfigTests.RepoRoot(), "configs", "halfcheetah-vel-maml-trpo.json")))!;
        config["sampler"]!["meta_batch_size"] = 2;
        config["sampler"]!["episodes_per_task"] = 2;
        config["sampler"]!["horizon"] = 50;
        string path = Path.Combine(_root, "small-halfcheetah.json");
        File.WriteAllText(path, config.ToJsonString());
        (string, string) portableLibm = ("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-FMA,-FMA4");
        string a = Path.Combine(_root, "hc-default"), b = Path.Combine(_root, "hc-noavx2");
        Child([portableLibm], "train", "--config", path, "--out", a, "--iterations", "1", "--seed", "2");
        Child([portableLibm, .. NoAvx2], "train", "--config", path, "--out", b, "--iterations", "1", "--seed", "2", "--threads", "1");
        Assert.Equal(GoldenRunTests.NonTimeColumns(Path.Combine(a, "metrics.csv")), GoldenRunTests.NonTimeColumns(Path.Combine(b, "metrics.csv")));
    }
}
