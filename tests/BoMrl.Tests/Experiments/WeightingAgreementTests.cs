using System.Text.Json.Nodes;
using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Objectives;

namespace BoMrl.Tests.Experiments;

/// <summary>The row weighting a run's config.json states is the one its learner uses, for every learner, key or no key.</summary>
public sealed class WeightingAgreementTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-weighting-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string, string?> Cases()
    {
        var data = new TheoryData<string, string?>();
        foreach (string learner in new[] { "bomrl-kl2", "maml-trpo", "emaml", "promp" })
        {
            foreach (string? w in new[] { null, "per-step", "per-episode" })
            {
                data.Add(learner, w);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_resolved_config_and_the_learner_agree_on_the_weighting(string learner, string? weighting)
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TrainConfigTests.RepoRoot(), "configs", $"navigation2d-{learner}.json")))!;
        var algorithm = (JsonObject)json["algorithm"]!;
        algorithm.Remove("weighting");
        if (weighting is not null)
        {
            algorithm["weighting"] = weighting;
        }

        string path = Path.Combine(_root, $"{learner}-{weighting ?? "none"}.json");
        File.WriteAllText(path, json.ToJsonString());
        TrainConfig config = ConfigLoader.Load(path).Resolve();
        RowWeighting stated = config.Algorithm.ParseWeighting();
        if (weighting is not null)
        {
            Assert.Equal(weighting, config.Algorithm.Weighting);
        }

        var run = Assert.IsAssignableFrom<PerTaskMetaLearner>(MetaLearners.Create(config, 1));
        Assert.Equal(stated, run.Weighting);
        if (learner == "promp" && weighting is null)
        {
            Assert.Equal(RowWeighting.PerStep, run.Weighting); // ProMP's own default, now also what config.json says
        }
    }
}
