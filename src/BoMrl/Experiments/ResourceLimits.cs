using System.Globalization;

namespace BoMrl.Experiments;

/// <summary>
/// Up-front estimates of what a configuration needs, checked before anything is allocated, so that a size the machine
/// cannot hold is refused in one line (the estimate and the limit) instead of swapping, overflowing an index or dying
/// minutes later.
/// </summary>
public static class ResourceLimits
{
    /// <summary>Per-step scalars a sampled batch stores besides observation and action: reward, log-probability,
    /// baseline value, advantage, return, done mask and two spares for the learners' per-step caches.</summary>
    private const int ScalarsPerStep = 8;

    /// <summary>Memory this process may use: the GC's view of the machine's (or container's) available memory.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Bytes of the episodes one meta-iteration of <paramref name="config"/> holds at once: meta_batch_size ×
    /// episodes_per_task × horizon steps, each (obs + act + 8) doubles, for the pre- and the post-adaptation batch.
    /// </summary>
    public static double TrainBytes(TrainConfig config, int observationSize, int actionSize)
    {
        ArgumentNullException.ThrowIfNull(config);
        double steps = (double)config.Sampler.MetaBatchSize * config.Sampler.EpisodesPerTask * (config.Sampler.Horizon ?? 0);
        return steps * (observationSize + actionSize + ScalarsPerStep) * sizeof(double) * 2;
    }

    /// <summary>
    /// Rejects counts whose products overflow the sampler's int indices (episodes × horizon × obs per task batch) and
    /// configs whose batches need more than <paramref name="availableBytes"/>; <see cref="ConfigException"/> naming the keys.
    /// </summary>
    public static void CheckTrain(TrainConfig config, int observationSize, int actionSize, long availableBytes)
    {
        ArgumentNullException.ThrowIfNull(config);
        SamplerConfig s = config.Sampler;
        long horizon = s.Horizon ?? 0;
        long perTask = s.EpisodesPerTask * horizon * Math.Max(observationSize, actionSize + 1);
        if (perTask > Array.MaxLength || s.EpisodesPerTask * horizon > int.MaxValue)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"config keys 'sampler.episodes_per_task' × 'sampler.horizon' ({s.EpisodesPerTask} × {horizon}) exceed what one task's batch can index ({Array.MaxLength:N0} values)"));
        }

        if (config.Test.Tasks * (long)(config.Test.Steps + 1) > int.MaxValue)
        {
            throw new ConfigException($"config keys 'test.tasks' × 'test.steps' ({config.Test.Tasks} × {config.Test.Steps}) are too large");
        }

        double need = TrainBytes(config, observationSize, actionSize);
        if (need > availableBytes)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"this config needs about {Gb(need)} for one meta-iteration's episodes (sampler.meta_batch_size {s.MetaBatchSize} × episodes_per_task {s.EpisodesPerTask} × horizon {horizon} × (obs {observationSize} + act {actionSize} + {ScalarsPerStep}) × 8 bytes × 2 batches), more than the {Gb(availableBytes)} available"));
        }
    }

    /// <summary>
    /// Rejects a tabular (Frozen Lake) setting that cannot fit: exact policy evaluation and the exact hypergradient solve
    /// dense |S|×|S| systems (three such matrices live at once per evaluation, one evaluation per worker thread), and every
    /// task holds |S|·|A| rewards, Q-values and policies. Refuses, naming <paramref name="sizeOption"/>, the estimate and
    /// the limit, when |S|² overflows an array index or the estimate exceeds <paramref name="availableBytes"/>.
    /// </summary>
    public static double CheckTabular(int size, int actions, int tasks, int workers, long availableBytes, string sizeOption = "--size")
    {
        double states = (double)size * size;
        if (states * states > Array.MaxLength)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{sizeOption} {size}: the dense |S|×|S| matrices of exact policy evaluation would have {states * states:G3} entries, more than an array can index ({Array.MaxLength:N0}); the largest size is {(int)Math.Sqrt(Math.Sqrt(Array.MaxLength))}"));
        }

        double need = ((3.0 * states * states * Math.Max(1, Math.Min(workers, tasks))) + (4.0 * states * actions * tasks)) * sizeof(double);
        if (need > availableBytes)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{sizeOption} {size} needs about {Gb(need)} (3 dense |S|×|S| matrices per worker × {Math.Min(workers, tasks)} workers + |S|·|A| values per task × {tasks} tasks, 8 bytes each), more than the {Gb(availableBytes)} available"));
        }

        return need;
    }

    private static string Gb(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):G3} GiB");
}
