using BoMrl.Cli;
using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Environments.Navigation;
using BoMrl.Runs;

namespace BoMrl.Tests.Environments;

/// <summary>A family defined outside the library (here: in the test assembly), as a user's program defines one.</summary>
public sealed class ShortNavigationFamily : ITaskFamily
{
    /// <inheritdoc/>
    public string Name => "test-short-navigation";

    /// <inheritdoc/>
    public ITaskDistribution Create(string? variant, int? horizon) => variant is null or "pytorch-maml-rl"
        ? new Navigation2DTasks(horizon ?? 12)
        : throw new ArgumentException($"unknown variant '{variant}'", nameof(variant));
}

/// <summary>Another class claiming the same name (a conflict the registry refuses).</summary>
internal sealed class ConflictingFamily : ITaskFamily
{
    public string Name => "test-short-navigation";

    public ITaskDistribution Create(string? variant, int? horizon) => throw new NotSupportedException();
}

/// <summary>
/// A task family of the user's own joins the library without editing it: registered from code, or named by its
/// assembly in a config, it trains through the library and through <c>bomrl train</c>/<c>test</c> alike.
/// </summary>
public sealed class TaskFamilyRegistrationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-family-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string TestAssembly => typeof(ShortNavigationFamily).Assembly.Location;

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, new CliContext(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_registered_family_is_created_by_name_and_listed()
    {
        TaskDistributions.Register(new ShortNavigationFamily());
        TaskDistributions.Register(new ShortNavigationFamily()); // the same class again: a no-op
        Assert.Equal(12, TaskDistributions.Create("test-short-navigation").Horizon);
        Assert.Equal(7, TaskDistributions.Create("test-short-navigation", horizon: 7).Horizon);
        Assert.Contains("test-short-navigation", TaskDistributions.Names);
        var e = Assert.Throws<ArgumentException>(() => TaskDistributions.Create("test-short-navigation", "other"));
        Assert.Equal("variant", e.ParamName);
    }

    [Fact]
    public void The_registry_refuses_built_in_names_and_a_second_class_under_a_held_name()
    {
        TaskDistributions.Register(new ShortNavigationFamily());
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => TaskDistributions.Register(new ConflictingFamily())).Message);
        Assert.Contains("built-in", Assert.Throws<ArgumentException>(() => TaskDistributions.Register(new BuiltInNameFamily())).Message);
    }

    private sealed class BuiltInNameFamily : ITaskFamily
    {
        public string Name => "navigation2d";

        public ITaskDistribution Create(string? variant, int? horizon) => throw new NotSupportedException();
    }

    [Fact]
    public void RegisterFrom_registers_the_public_families_of_an_assembly()
    {
        Assert.Equal(["test-short-navigation"], TaskDistributions.RegisterFrom(TestAssembly));
        Assert.Equal("assembly", Assert.Throws<ArgumentException>(() => TaskDistributions.RegisterFrom(Path.Combine(_root, "no.dll"))).ParamName);
    }

    [Fact]
    public void A_config_naming_the_assembly_trains_from_code_and_from_the_cli_to_the_same_numbers()
    {
        // Relative to the config file's folder; config.json keeps the absolute path, so bomrl test works from anywhere.
        string config = Path.Combine(_root, "family.json");
        File.WriteAllText(config, $$"""
            { "env": { "name": "test-short-navigation", "assembly": "{{Path.GetRelativePath(_root, TestAssembly)}}" },
              "algorithm": { "name": "maml-trpo" }, "policy": { "hidden_sizes": [8] },
              "sampler": { "meta_batch_size": 2, "episodes_per_task": 3 }, "iterations": 2, "seed": 4 }
            """);
        TrainConfig loaded = ConfigLoader.Load(config);
        Assert.Equal(TestAssembly, loaded.Env.Assembly);
        Assert.Equal(12, loaded.Sampler.Horizon);

        IReadOnlyList<MetricsRow> fromCode = Trainer.Train(loaded, Path.Combine(_root, "code"));
        var r = Cli("train", "--config", config, "--out", Path.Combine(_root, "cli"));
        Assert.True(r.Code == 0, r.Err);
        IReadOnlyList<MetricsRow> fromCli = MetricsRow.ParseCsv(File.ReadAllText(Path.Combine(_root, "cli", "metrics.csv")));
        Assert.Equal(fromCode.Select(m => m.PostReturn), fromCli.Select(m => m.PostReturn));
        Assert.Contains(TestAssembly, File.ReadAllText(Path.Combine(_root, "cli", "config.json")), StringComparison.Ordinal);

        // The folder Trainer.Train wrote is a complete train run: bomrl test takes it.
        r = Cli("test", "--run", Path.Combine(_root, "code"), "--steps", "1", "--tasks", "2");
        Assert.True(r.Code == 0, r.Err);
        Assert.True(File.Exists(Path.Combine(_root, "code", "test.json")));
    }
}
