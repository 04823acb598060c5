using BoMrl.Meta;

namespace BoMrl.Tests;

public sealed class TaskCodecTests
{
    private static readonly double[] Awkward =
    [
        0.0, -0.0, 1.0 / 3, -Math.PI, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 2.2250738585072014E-308,
        BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF), 0.1 + 0.2, 1e-300 / 3, double.NaN, double.PositiveInfinity,
        double.NegativeInfinity, 123456789.123456789,
    ];

    private static void SameBits(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(actual[i]));
        }
    }

    [Fact]
    public void Steps_travel_with_their_type_and_every_double_keeps_its_bits()
    {
        var random = new Random(5);
        double[] values = [.. Awkward, .. Enumerable.Range(0, 200).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)))];
        TaskStep[] steps =
        [
            new CurvatureProductStep(values), new TrialStep(values), new TrialKlStep(values), new PrepareOldQuantities(), new ProMpOuterGradient(values),
            new MetaGradientStep([new RewardMoments(values[2], 17, values[3]), null, new EpisodeReturn(-0.0), new BoMrlStatistics(values[12])]),
        ];
        foreach (TaskStep step in steps)
        {
            TaskStep back = TaskCodec.Decode<TaskStep>(TaskCodec.Encode(step));
            Assert.Equal(step.GetType(), back.GetType());
            Assert.Equal(TaskCodec.Encode(step), TaskCodec.Encode(back));
        }

        SameBits(values, ((CurvatureProductStep)TaskCodec.Decode<TaskStep>(TaskCodec.Encode<TaskStep>(steps[0]))).V);
        var statistics = ((MetaGradientStep)TaskCodec.Decode<TaskStep>(TaskCodec.Encode<TaskStep>(steps[^1]))).Statistics;
        Assert.Equal(new RewardMoments(values[2], 17, values[3]), statistics[0]);
        Assert.Null(statistics[1]);
        Assert.True(double.IsNegative(((EpisodeReturn)statistics[2]!).Return));
        Assert.True(double.IsNaN(((BoMrlStatistics)statistics[3]!).ReturnPerStep));
    }

    [Fact]
    public void Replies_decode_as_the_learners_own_records()
    {
        TaskTrial[] trials = [new TaskTrial(0.25), new MamlTrial(-0.0, 1e-310), new EMamlTrial(1.0 / 3, double.NaN, 0.5), new ProMpTrial(1, 2, 3)];
        foreach (TaskTrial t in trials)
        {
            TaskTrial back = TaskCodec.Decode<TaskTrial>(TaskCodec.Encode(t, new TrialStep([]).ReplyType()));
            Assert.Equal(t.GetType(), back.GetType());
            Assert.Equal(TaskCodec.Encode(t), TaskCodec.Encode(back));
        }

        var gradient = new TaskMetaGradient(Awkward, new CgSummary(1e-9, true, 3, 1, 1e-5), new BoMrlExtras(-1.0 / 7));
        var g = TaskCodec.Decode<TaskMetaGradient>(TaskCodec.Encode(gradient));
        SameBits(Awkward, g.Gradient);
        Assert.Equal(gradient.Cg, g.Cg);
        Assert.Equal(gradient.Extras, g.Extras);
        Assert.IsType<Done>(TaskCodec.Decode<Done>(TaskCodec.Encode(Done.Value)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(TaskCodec.Decode<double>(TaskCodec.Encode(-0.0))));
        var collected = new TaskCollected(1, 2, 3, 4, new RewardMoments(1, 2, 3));
        Assert.Equal(collected, TaskCodec.Decode<TaskCollected>(TaskCodec.Encode(collected)));
    }

    [Fact]
    public void A_double_array_travels_as_its_bytes_about_eleven_characters_a_value()
    {
        var random = new Random(9);
        double[] v = [.. Enumerable.Range(0, 3000).Select(_ => random.NextDouble() - 0.5), BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0123)];
        string json = TaskCodec.Encode<TaskStep>(new CurvatureProductStep(v));
        Assert.True(json.Length < 11 * v.Length + 200, $"{json.Length} characters for {v.Length} doubles");
        SameBits(v, ((CurvatureProductStep)TaskCodec.Decode<TaskStep>(json)).V); // a NaN payload too
        Assert.Throws<System.Text.Json.JsonException>(() => TaskCodec.Decode<TaskStep>(json.Replace(json[json.IndexOf("\"V\":\"", StringComparison.Ordinal)..].Split('"')[3], "AAAA", StringComparison.Ordinal)));
    }
}
