using System.Globalization;
using BoMrl.Cli;

namespace BoMrl.Tests;

/// <summary><c>bomrl bench sampler</c>: prints full-loop and bare-physics throughput and their ratio; bad input is one line, exit 2.</summary>
public sealed class BenchCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("halfcheetah-vel")]
    [InlineData("ant-dir")]
    public void Bench_sampler_prints_full_loop_and_bare_physics_throughput_and_their_ratio(string env)
    {
        (int code, string output, string err) = Run("bench", "sampler", "--env", env, "--envs", "2", "--steps", "5", "--threads", "2",
            "--hidden", "8", "--rounds", "2");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        string[] lines = output.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Contains(env, lines[0], StringComparison.Ordinal);
        double full = Figure(lines[1], "full loop:");
        double bare = Figure(lines[2], "bare physics:");
        double ratio = Figure(lines[3], "ratio:");
        Assert.True(full > 0 && bare > 0);
        Assert.Equal(full / bare, ratio, 0.0015 + (0.002 * ratio)); // printed to 3 decimals from unrounded medians
    }

    [Theory]
    [InlineData("--envs", "0")]
    [InlineData("--steps", "-3")]
    [InlineData("--threads", "-1")]
    [InlineData("--threads", "3")]
    [InlineData("--rounds", "0")]
    [InlineData("--hidden", "64,x")]
    [InlineData("--hidden", "64,0")]
    [InlineData("--hidden", "")]
    [InlineData("--variant", "rllab")]
    public void Bad_bench_arguments_give_one_line_and_exit_code_2(string option, string value)
    {
        (int code, string output, string err) = Run("bench", "sampler", "--env", "halfcheetah-vel", "--envs", "2", "--steps", "2", option, value);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("bomrl: ", err, StringComparison.Ordinal);
        Assert.Contains(option, err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("navigation2d")]
    [InlineData("walker-vel")]
    public void Bench_sampler_needs_a_MuJoCo_family(string env)
    {
        (int code, _, string err) = Run("bench", "sampler", "--env", env);
        Assert.Equal(2, code);
        Assert.Contains("--env", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Bench_without_a_benchmark_or_with_an_unparsable_number_is_a_usage_error()
    {
        Assert.Equal(2, Run("bench").Code);
        Assert.Equal(2, Run("bench", "sampler", "--env", "ant-vel", "--envs", "many").Code);
        Assert.Equal(2, Run("bench", "sampler").Code); // --env is required
    }

    private static double Figure(string line, string label)
    {
        Assert.StartsWith(label, line, StringComparison.Ordinal);
        string number = line[label.Length..].TrimStart().Split(' ')[0];
        return double.Parse(number, NumberStyles.Number, CultureInfo.InvariantCulture);
    }
}
