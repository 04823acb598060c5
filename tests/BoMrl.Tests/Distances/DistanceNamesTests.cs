using BoMrl.Configuration;
using BoMrl.DistanceKinds;
using BoMrl.Studies;

namespace BoMrl.Tests;

/// <summary>
/// The paper's D1, D2, D3 (Section 3) under every spelling: the config names kl1/kl2/l2 are canonical and written, the
/// aliases d1/d2/d3 (and the member names) are read only, so old configs and checkpoints load and run folders do not change.
/// </summary>
public sealed class DistanceNamesTests
{
    public static TheoryData<Distance, string> EverySpelling()
    {
        var data = new TheoryData<Distance, string>();
        foreach (Distance d in DistanceNames.All)
        {
            foreach (string s in d.Spellings())
            {
                data.Add(d, s);
                data.Add(d, " " + s.ToUpperInvariant() + " ");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EverySpelling))]
    public void Every_alias_parses_to_the_same_distance(Distance expected, string spelling)
    {
        Assert.True(DistanceNames.TryParse(spelling, out Distance d));
        Assert.Equal(expected, d);
    }

    [Theory]
    [InlineData(Distance.KlForward, "kl1", "D1", "d1")]
    [InlineData(Distance.KlReverse, "kl2", "D2", "d2")]
    [InlineData(Distance.Euclidean, "l2", "D3", "d3")]
    public void Canonical_paper_and_alias_names_agree_with_design_md(Distance d, string canonical, string paper, string alias)
    {
        Assert.Equal(canonical, d.ToName());
        Assert.Equal(canonical, d.Spellings()[0]);
        Assert.Equal(paper, d.ToPaperName());
        Assert.Contains(alias, d.Spellings());
        Assert.Equal("D" + (int)d, d.ToPaperName());
    }

    [Fact]
    public void No_spelling_names_two_distances()
    {
        string[] all = [.. DistanceNames.All.SelectMany(d => d.Spellings())];
        Assert.Equal(all.Length, all.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal([Distance.KlForward, Distance.KlReverse, Distance.Euclidean], DistanceNames.All);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kl3")]
    [InlineData("d4")]
    [InlineData("d0")]
    [InlineData("l1")]
    [InlineData("kl")]
    public void Anything_else_is_rejected(string? text) => Assert.False(DistanceNames.TryParse(text, out _));

    [Theory]
    [MemberData(nameof(EverySpelling))]
    public void A_resolved_config_writes_the_canonical_spelling(Distance expected, string spelling)
    {
        TrainConfig c = ConfigLoader.Parse(
            $$"""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "{{spelling}}" } }""");
        Assert.Equal(expected.ToName(), c.Algorithm.Distance);
        Assert.Equal(expected, c.Algorithm.ParseDistance());
        string json = ConfigLoader.ToJson(c);
        Assert.Contains($"\"distance\": \"{expected.ToName()}\"", json, StringComparison.Ordinal);
        Assert.Equal(json, ConfigLoader.ToJson(ConfigLoader.Parse(json)));
    }

    [Theory]
    [InlineData("d1", "kl1")]
    [InlineData("D2", "kl2")]
    [InlineData("d3", "l2")]
    [InlineData("l2", "l2")]
    public void The_frozen_lake_config_reads_aliases(string spelling, string canonical)
    {
        var config = new FrozenLakeExperimentConfig { Distance = spelling };
        Assert.Equal(canonical, config.ParsedDistance.ToName());
    }

    [Fact]
    public void The_config_error_lists_the_canonical_names_and_the_aliases()
    {
        ConfigException e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(
            """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "kl3" } }"""));
        Assert.StartsWith("config key 'algorithm.distance' must be one of kl1, kl2, l2 or the paper's d1, d2, d3", e.Message);
    }
}
