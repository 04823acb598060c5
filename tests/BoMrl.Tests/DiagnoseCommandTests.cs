using System.Globalization;
using BoMrl.Cli;

namespace BoMrl.Tests;

/// <summary>
/// <c>bomrl diagnose estimator</c>: prints, per estimator, the weights' std, the variance share of the time step and the
/// batch-to-batch gradient cosine; Q̂'s time share exceeds that of Q̂ minus the baseline; bad input is one line, exit 2.
/// </summary>
public sealed class DiagnoseCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bomrl-diagnose-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Config(string sampler = "\"estimator\": \"monte-carlo-q-baseline\", \"normalize_advantages\": false")
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, $$$"""
            {"env": {"name": "navigation2d"}, "policy": {"hidden_sizes": [16]}, "algorithm": {"name": "bomrl"},
             "sampler": {"episodes_per_task": 6, "horizon": 40, "threads": 1, "gae_lambda": 0.95, {{{sampler}}}}}
            """);
        return path;
    }

    [Fact]
    public void Diagnose_estimator_prints_std_time_share_and_gradient_cosine_of_each_estimator()
    {
        (int code, string output, string err) = Run("diagnose", "estimator", "--config", Config(), "--tasks", "3", "--seed", "4");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        string[] lines = output.TrimEnd().Split('\n');
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("diagnose estimator: navigation2d", lines[0], StringComparison.Ordinal);
        Assert.Contains("3 task(s) x 2 batches x 6 episodes x 40 steps", lines[0], StringComparison.Ordinal);
        Assert.Equal("| estimator | std | time_explained | gradient_cosine |", lines[1]);
        Dictionary<string, string[]> rows = lines.Skip(3).Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1..^1]).ToDictionary(c => c[0]);
        Assert.Equal(["monte-carlo-q", "monte-carlo-q, center_q", "monte-carlo-q-baseline", "gae, gae_lambda 0.95"], rows.Keys);
        foreach (string[] c in rows.Values)
        {
            Assert.True(Number(c[1]) > 0);
            Assert.InRange(Number(c[2]), 0, 1);
            Assert.InRange(Number(c[3].Split(" ± ")[0]), -1, 1);
            Assert.True(Number(c[3].Split(" ± ")[1]) >= 0);
        }

        // Centring shifts every weight alike: same std and time share as plain Q̂.
        Assert.Equal(rows["monte-carlo-q"][1..3], rows["monte-carlo-q, center_q"][1..3]);
        double mcq = Number(rows["monte-carlo-q"][2]), qb = Number(rows["monte-carlo-q-baseline"][2]);
        Assert.True(mcq > qb, $"time share: monte-carlo-q {mcq}, monte-carlo-q-baseline {qb}");

        // Deterministic in (config, seed).
        Assert.Equal(output, Run("diagnose", "estimator", "--config", Config(), "--tasks", "3", "--seed", "4").Out);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("--tasks", "0")]
    [InlineData("--episodes", "-1")]
    [InlineData("--config", "/nonexistent/config.json")]
    public void Bad_diagnose_arguments_give_one_line_and_exit_code_2(string option, string value)
    {
        string[] args = option == "--config" ? ["diagnose", "estimator", option, value] : ["diagnose", "estimator", "--config", Config(), option, value];
        (int code, string output, string err) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("bomrl: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_that_standardises_monte_carlo_q_baseline_is_refused_with_exit_code_2()
    {
        (int code, string output, string err) = Run("diagnose", "estimator", "--config", Config("\"estimator\": \"monte-carlo-q-baseline\""), "--tasks", "1");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("sampler.normalize_advantages", err, StringComparison.Ordinal);
    }
}
