using BoMrl.Sampling;

namespace BoMrl.Tests.Sampling;

/// <summary>Assertions on trajectory batches shared by the sampler tests.</summary>
internal static class BatchAssert
{
    /// <summary>Same task, lengths, and bitwise the same observations, actions and rewards.</summary>
    public static void BitwiseEqual(TrajectoryBatch a, TrajectoryBatch b)
    {
        Assert.Equal(a.Lengths, b.Lengths);
        Assert.Equal(a.Task, b.Task);
        Assert.True(a.Observations.AsSpan().SequenceEqual(b.Observations));
        Assert.True(a.Actions.AsSpan().SequenceEqual(b.Actions));
        Assert.True(a.Rewards.AsSpan().SequenceEqual(b.Rewards));
    }
}
