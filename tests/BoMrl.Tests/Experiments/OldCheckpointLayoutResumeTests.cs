using System.Text.Json;
using BoMrl.Cli;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// Checkpoints written while BO-MRL's log λ was a field of its own (Fixtures/checkpoint-log-lambda-field, README there)
/// resume to the bits the code that wrote them reached without a break: same φ, same learner state (the optimiser's,
/// then ℓ wherever the layout keeps it) and the same metrics.
/// </summary>
public sealed class OldCheckpointLayoutResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-old-layout-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("meta")]
    [InlineData("fixed")]
    public void A_run_checkpointed_with_a_log_lambda_field_resumes_to_the_uninterrupted_bits(string lambdaLearning)
    {
        string fixture = Path.Combine(TrainConfigTests.RepoRoot(), "tests", "BoMrl.Tests", "Fixtures", "checkpoint-log-lambda-field", lambdaLearning);
        string run = Path.Combine(_root, lambdaLearning);
        Copy(fixture, run);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(Program.Run(["train", "--out", run, "--resume"], stdout, stderr) == 0, stderr.ToString());

        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture, "expected-latest.json")));
        using JsonDocument actual = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "checkpoints", "latest.json")));
        Assert.Equal(3, actual.RootElement.GetProperty("completed_iterations").GetInt32());
        Assert.Equal(Raw(expected, "phi"), Raw(actual, "phi"));
        Assert.Equal(LearnerState(expected), LearnerState(actual));
        Assert.Equal(lambdaLearning == "meta" ? 1 + 2 * 44 + 1 : 1 + 2 * 44, LearnerState(actual).Length); // Adam's t, m, v over 44 parameters (+ ℓ)
        Assert.Equal(GoldenRunTests.NonTimeColumns(Path.Combine(fixture, "expected-metrics.csv")),
            GoldenRunTests.NonTimeColumns(Path.Combine(run, "metrics.csv")));
    }

    [Fact]
    public void Today_s_checkpoints_keep_log_lambda_last_in_optimizer_state_and_no_field_of_its_own()
    {
        string fixture = Path.Combine(TrainConfigTests.RepoRoot(), "tests", "BoMrl.Tests", "Fixtures", "checkpoint-log-lambda-field", "meta");
        string run = Path.Combine(_root, "today");
        Copy(fixture, run);
        Assert.True(Program.Run(["train", "--out", run, "--resume"], new StringWriter(), new StringWriter()) == 0);

        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture, "expected-latest.json")));
        string written = File.ReadAllText(Path.Combine(run, "checkpoints", "latest.json"));
        Assert.DoesNotContain("log_lambda", written, StringComparison.Ordinal);
        Checkpoint c = new RunFolder(run).ReadCheckpoint()!;
        Assert.Equal(expected.RootElement.GetProperty("log_lambda").GetDouble(), c.OptimizerState[^1]);
    }

    [Theory]
    [InlineData("\"NaN\"", "field 'optimizer_state[89]' is NaN")]
    [InlineData("\"x\"", "field 'optimizer_state[89]' has a value of the wrong type")]
    public void A_bad_log_lambda_of_the_old_layout_is_refused_naming_where_it_now_lives(string value, string message)
    {
        string fixture = Path.Combine(TrainConfigTests.RepoRoot(), "tests", "BoMrl.Tests", "Fixtures", "checkpoint-log-lambda-field", "meta");
        string run = Path.Combine(_root, "bad");
        Copy(fixture, run);
        string path = Path.Combine(run, "checkpoints", "latest.json");
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), @"""log_lambda"": [^\s}]+", $"\"log_lambda\": {value}"));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => new RunFolder(run).ReadCheckpoint());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static string[] Raw(JsonDocument d, string field) =>
        d.RootElement.GetProperty(field).EnumerateArray().Select(e => e.GetRawText()).ToArray();

    /// <summary>optimizer_state, then log_lambda where a checkpoint of the old layout holds a number there.</summary>
    private static string[] LearnerState(JsonDocument d) =>
        d.RootElement.TryGetProperty("log_lambda", out JsonElement l) && l.ValueKind == JsonValueKind.Number
            ? [.. Raw(d, "optimizer_state"), l.GetRawText()]
            : Raw(d, "optimizer_state");

    private static void Copy(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)
                     .Where(f => !Path.GetFileName(f).StartsWith("expected-", StringComparison.Ordinal)))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
