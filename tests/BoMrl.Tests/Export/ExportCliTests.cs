using BoMrl.Cli;
using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Policies;
using BoMrl.Runs;

namespace BoMrl.Tests.Export;

/// <summary>
/// <c>bomrl export</c> end to end on an untrained navigation2d run (<c>train --iterations 0</c>, the real learner): the
/// written ONNX model in ONNX Runtime and the written JSON give the run's policy at its checkpoint, and with
/// <c>--adapt-to</c> the policy adapted to that task exactly as <see cref="TrainedRun.Load"/> then
/// <see cref="PerTaskMetaLearner.AdaptTo"/> adapt it.
/// </summary>
public sealed class ExportCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-export-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, new CliContext(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>An untrained navigation2d run with the given log-std mode; returns its policy and φ.</summary>
    private (GaussianMlpPolicy Policy, double[] Phi) Trained(string logStd)
    {
        File.WriteAllText(P("nav.json"), $$"""
            { "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "kl2" },
              "policy": { "hidden_sizes": [16, 8], "log_std": "{{logStd}}", "init_log_std": -0.3 },
              "sampler": { "episodes_per_task": 4 }, "seed": 3 }
            """);
        var r = Cli("train", "--config", P("nav.json"), "--out", P("run"), "--iterations", "0");
        Assert.True(r.Code == 0, r.Err);
        var folder = new RunFolder(P("run"));
        GaussianMlpPolicy policy = MetaLearners.CreatePolicy(folder.ReadConfig());
        return (policy, folder.ReadCheckpoint()!.Phi);
    }

    [Theory]
    [InlineData("parameter")]
    [InlineData("mlp")]
    public void Exported_onnx_runs_in_onnx_runtime_and_gives_the_runs_policy(string logStd)
    {
        (GaussianMlpPolicy policy, double[] phi) = Trained(logStd);
        var r = Cli("export", "--run", P("run"), "--format", "onnx", "--out", P("policy.onnx"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("ONNX model (float64, opset 13) of bomrl-kl2 after 0 meta-iterations", r.Out);
        double[] obs = PolicyExportTests.Observations(policy.ObservationSize, 7);
        (double[] mean, double[]? logStdValues) = PolicyExportTests.Library(policy, phi, obs);
        Dictionary<string, double[]> onnx = PolicyExportTests.RunOnnx(File.ReadAllBytes(P("policy.onnx")), obs, policy.ObservationSize, float32: false);
        AssertClose(mean, onnx["mean"]);
        AssertClose(logStd == "mlp" ? logStdValues! : phi[policy.MeanNetwork.ParameterCount..], onnx["log_std"]);
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories)); // the temporary sibling was renamed
    }

    [Fact]
    public void Exported_json_and_a_kept_iteration_give_the_checkpoints_phi()
    {
        (_, double[] phi) = Trained("parameter");
        Assert.Equal(0, Cli("export", "--run", P("run"), "--iteration", "0", "--format", "json", "--out", P("policy.json")).Code);
        Assert.Equal(phi, ExportedJson.Phi(File.ReadAllText(P("policy.json"))));
        File.WriteAllText(P("policy.json"), "old");
        Assert.Equal(0, Cli("export", "--run", P("run"), "--format", "json", "--out", P("policy.json")).Code); // replaced
        Assert.Equal(phi, ExportedJson.Phi(File.ReadAllText(P("policy.json"))));
        var f32 = Cli("export", "--run", P("run"), "--format", "onnx", "--precision", "float32", "--out", P("policy32.onnx"));
        Assert.True(f32.Code == 0, f32.Err);
        Assert.Contains("float32", f32.Out);
    }

    [Fact]
    public void Export_adapted_to_a_task_gives_the_parameters_adapting_the_loaded_run_gives_bit_for_bit()
    {
        (_, double[] phi) = Trained("parameter");
        var r = Cli("export", "--run", P("run"), "--adapt-to", "0.3,-0.2", "--seed", "7", "--adapt-steps", "2", "--format", "json", "--out", P("adapted.json"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("of bomrl-kl2 after 0 meta-iterations, adapted to task 0.3,-0.2 in 2 steps, seed 7 (", r.Out);
        var byDefault = Cli("export", "--run", P("run"), "--adapt-to", "0.3,-0.2", "--format", "json", "--out", P("default.json"));
        Assert.True(byDefault.Code == 0, byDefault.Err);
        Assert.Contains("adapted to task 0.3,-0.2 in 1 step, seed 3 (", byDefault.Out); // default: one step, the run's seed

        double[] adapted = ExportedJson.Phi(File.ReadAllText(P("adapted.json")));
        using (PerTaskMetaLearner learner = TrainedRun.Load(P("run")))
        {
            Assert.Equal(Bits(learner.AdaptTo([[0.3, -0.2]], 2, 7).Thetas[2][0]), Bits(adapted));
        }

        using (PerTaskMetaLearner learner = TrainedRun.Load(P("run")))
        {
            Assert.Equal(Bits(learner.AdaptTo([[0.3, -0.2]], 1, 3).Thetas[1][0]), Bits(ExportedJson.Phi(File.ReadAllText(P("default.json")))));
        }

        Assert.NotEqual(phi, adapted); // θ′, not φ
        Assert.Equal(0, Cli("export", "--run", P("run"), "--format", "json", "--out", P("phi.json")).Code);
        Assert.NotEqual(File.ReadAllText(P("phi.json")), File.ReadAllText(P("adapted.json")));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("onnx")]
    public void The_same_adapted_export_twice_writes_the_same_bytes(string format)
    {
        Trained("mlp");
        string[] Args(string output) => ["export", "--run", P("run"), "--adapt-to", "-0.4,0.25", "--seed", "11", "--format", format, "--out", P(output)];
        Assert.Equal(0, Cli(Args("first")).Code);
        Assert.Equal(0, Cli(Args("second")).Code);
        Assert.Equal(File.ReadAllBytes(P("first")), File.ReadAllBytes(P("second")));
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {actual[i]:R} vs {expected[i]:R}");
        }
    }
}
