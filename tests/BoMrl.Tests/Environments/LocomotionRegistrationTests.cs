using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Environments.Mujoco;

namespace BoMrl.Tests.Environments;

/// <summary>
/// The locomotion families of the paper's Section 6 are reachable through the one config lookup
/// <see cref="TaskDistributions.Create"/> with their published sizes, every variant and the horizon override.
/// </summary>
public sealed class LocomotionRegistrationTests
{
    [Theory]
    [InlineData("halfcheetah-vel", null, 20, 6)]
    [InlineData("halfcheetah-dir", null, 20, 6)]
    [InlineData("ant-vel", null, 125, 8)]
    [InlineData("ant-dir", null, 125, 8)]
    [InlineData("halfcheetah-vel", "pytorch-maml-rl", 20, 6)]
    [InlineData("halfcheetah-vel", "promp", 17, 6)]
    [InlineData("ant-dir", "promp", 111, 8)]
    [InlineData("halfcheetah-dir", "maml", 20, 6)]
    [InlineData("ant-vel", "maml", 125, 8)]
    public void Config_lookup_creates_each_locomotion_family_with_its_published_sizes(string name, string? variant, int observation, int action)
    {
        ITaskDistribution tasks = TaskDistributions.Create(name, variant);
        LocomotionTaskDistribution locomotion = Assert.IsType<LocomotionTaskDistribution>(tasks);
        Assert.Equal(name, tasks.Name);
        Assert.Equal(observation, tasks.ObservationSize);
        Assert.Equal(action, tasks.ActionSize);
        Assert.Equal(LocomotionTasks.PaperHorizon, tasks.Horizon);
        Assert.Equal(variant is null ? LocomotionVariant.PytorchMamlRl : LocomotionTasks.ParseVariant(variant), locomotion.Definition.Variant);
        Assert.Single(tasks.SampleTask(new Random(3)));
    }

    [Fact]
    public void Horizon_override_reaches_the_locomotion_family()
    {
        Assert.Equal(100, TaskDistributions.Create("halfcheetah-vel", "pytorch-maml-rl", 100).Horizon);
        Assert.Equal(7, TaskDistributions.Create("ant-dir", null, 7).Horizon);
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskDistributions.Create("ant-dir", null, 0));
    }

    [Fact]
    public void Unknown_names_and_variants_name_the_offending_config_key()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => TaskDistributions.Create("walker-vel"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("ant-dir", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => TaskDistributions.Create("halfcheetah-vel", "rllab2"));
        Assert.Equal("variant", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TaskDistributions.Create("ant-vel", "promp"));
        Assert.Equal("variant", e.ParamName);
        Assert.Equal(5, TaskDistributions.BuiltInNames.Count);
    }
}
