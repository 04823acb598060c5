namespace BoMrl.Numerics;

/// <summary>
/// The one threads setting (config key <c>sampler.threads</c>, CLI <c>--threads</c>): 0 means every core of the machine.
/// Resolved here and nowhere else; the sampler, the learners' per-task loop and the tabular wing all honour it.
/// Results never depend on it (per-task work is independent and reductions run in task order).
/// </summary>
public static class ThreadCount
{
    /// <summary>The number of worker threads for a requested count: <paramref name="requested"/>, or every core when it is 0.</summary>
    public static int Resolve(int requested)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requested);
        return requested == 0 ? Environment.ProcessorCount : requested;
    }

    /// <summary>Parallel options that run at most <see cref="Resolve"/>(<paramref name="requested"/>) bodies at once.</summary>
    public static ParallelOptions Options(int requested) => new() { MaxDegreeOfParallelism = Resolve(requested) };
}
