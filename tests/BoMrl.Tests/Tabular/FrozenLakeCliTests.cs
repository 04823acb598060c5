using System.Text.Json;
using BoMrl.Cli;

namespace BoMrl.Tests.Tabular;

public class FrozenLakeCliTests
{
    private static (int Rc, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = Program.Run(args, stdout, stderr);
        return (rc, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--hole-prob", "1")]
    [InlineData("--hole-prob", "-0.1")]
    [InlineData("--hole-prob", "NaN")]
    [InlineData("--size", "1")]
    [InlineData("--lambda", "0")]
    [InlineData("--lambda", "-1")]
    [InlineData("--lambda", "Infinity")]
    [InlineData("--q", "exactly")]
    [InlineData("--iterations", "abc")]
    [InlineData("--threads", "-1")]
    [InlineData("--lambda-learning", "learned")]
    [InlineData("--lambda-lr", "0")]
    public void Bad_frozenlake_arguments_give_one_line_and_exit_code_2(string option, string value)
    {
        (int rc, _, string err) = Run("frozenlake", "--variance", "high", "--distance", "kl1", option, value, "--out", Path.GetTempPath());
        Assert.Equal(2, rc);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("bomrl:", err);
    }

    [Fact]
    public void Unknown_distance_variance_and_unwritable_out_give_exit_code_2()
    {
        Assert.Equal(2, Run("frozenlake", "--variance", "high", "--distance", "kl3", "--out", Path.GetTempPath()).Rc);
        Assert.Equal(2, Run("frozenlake", "--variance", "medium", "--distance", "kl1", "--out", Path.GetTempPath()).Rc);
        Assert.Equal(2, Run("frozenlake", "--variance", "high", "--distance", "kl1").Rc); // --out missing
        string file = Path.GetTempFileName(); // a file, so the folder cannot be created under it
        (int rc, _, string err) = Run("frozenlake", "--variance", "high", "--distance", "kl1", "--out", Path.Combine(file, "run"));
        Assert.Equal(2, rc);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Equal(2, Run("reproduce", "mujoco", "--out", Path.GetTempPath()).Rc);
        File.Delete(file);
    }

    [Fact]
    public void Frozenlake_with_a_meta_learned_lambda_writes_the_learned_value_and_its_curve()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"bomrl-fl-{Guid.NewGuid():N}");
        try
        {
            (int rc, _, string err) = Run("frozenlake", "--variance", "high", "--distance", "kl2", "--size", "3", "--train-tasks", "3",
                "--test-tasks", "2", "--iterations", "4", "--q", "exact", "--lambda-learning", "meta", "--lambda-lr", "2", "--out", dir);
            Assert.True(rc == 0, err);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
            JsonElement s = doc.RootElement;
            double[] curve = s.GetProperty("lambda_curve").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(4, curve.Length);
            Assert.Equal(0.5, curve[0]);
            Assert.Equal(0.5, s.GetProperty("lambda").GetDouble());
            double learned = s.GetProperty("learned_lambda").GetDouble();
            Assert.True(learned > 0 && learned != 0.5, $"learned λ {learned}");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void Frozenlake_writes_summary_csv_and_figures_on_a_tiny_configuration()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"bomrl-fl-{Guid.NewGuid():N}");
        try
        {
            (int rc, string stdout, string err) = Run("frozenlake", "--variance", "low", "--distance", "kl2", "--size", "3", "--train-tasks", "3",
                "--test-tasks", "2", "--iterations", "4", "--q", "mc", "--rollouts", "3", "--out", dir);
            Assert.True(rc == 0, err);
            foreach (string f in new[] { "summary.json", "config.json", "returns_by_step.csv", "optimality_gap.csv", "training.csv", "returns_by_step.png", "optimality_gap.png" })
            {
                Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 0, f);
            }

            // The folder holds exactly the declared outputs (the list --force removes) and the run record.
            Assert.Equal(BoMrl.Studies.FrozenLakeExperiment.OutputFiles.Append("run.json").Order(StringComparer.Ordinal),
                Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal));

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
            JsonElement s = doc.RootElement;
            foreach (string key in new[] { "distance", "lambda", "gamma", "size", "hole_prob", "epsilon", "a_max", "a_max_center", "variance", "bound" })
            {
                Assert.True(s.TryGetProperty(key, out _), key);
            }

            Assert.Equal("kl2", s.GetProperty("distance").GetString());
            Assert.Equal(0.25, s.GetProperty("lambda").GetDouble());
            Assert.Equal(0.1, s.GetProperty("hole_prob").GetDouble());
            Assert.Equal(5, s.GetProperty("returns_by_step").GetProperty("bomrl").GetArrayLength());
            Assert.Equal(5, s.GetProperty("returns_by_step").GetProperty("maml").GetArrayLength());
            Assert.Equal(5, s.GetProperty("returns_by_step").GetProperty("random").GetArrayLength());
            Assert.True(s.GetProperty("returns_by_step").TryGetProperty("optimal", out _));
            foreach (string key in new[] { "no_adaptation", "bomrl_one_step", "maml_one_step" })
            {
                Assert.True(s.GetProperty("teog").TryGetProperty(key, out _), key);
            }

            Assert.True(s.GetProperty("hypergradient_check").GetProperty("max_rel_error").GetDouble() <= 1e-5);
            Assert.Contains("[low/kl2", stdout); // progress on stdout, so stderr holds errors only
            Assert.Equal("", err);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("kl1")]
    [InlineData("l2")]
    public void A_tiny_frozen_lake_study_gives_the_same_summary_on_one_and_on_two_threads(string distance)
    {
        string root = Path.Combine(Path.GetTempPath(), $"bomrl-fl-threads-{Guid.NewGuid():N}");
        try
        {
            string Summary(string threads)
            {
                string dir = Path.Combine(root, threads);
                (int rc, _, string err) = Run("frozenlake", "--variance", "high", "--distance", distance, "--size", "3",
                    "--train-tasks", "4", "--tasks-per-iteration", "2", "--test-tasks", "4", "--iterations", "5", "--q", "mc",
                    "--rollouts", "3", "--threads", threads, "--out", dir);
                Assert.True(rc == 0, err);
                var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
                Assert.True(node.Remove("seconds"), "summary.json has a seconds field");
                return node.ToJsonString();
            }

            Assert.Equal(Summary("1"), Summary("2"));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
