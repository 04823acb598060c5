using System.Globalization;

namespace BoMrl.Configuration;

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

    /// <summary>
    /// Memory this process may use: the GC's limit (the machine's or container's memory), or less when Linux reports
    /// less memory available now (/proc/meminfo MemAvailable: other processes hold the rest).
    /// </summary>
    public static long AvailableBytes
    {
        get
        {
            long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            try
            {
                string? line = File.Exists("/proc/meminfo")
                    ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    : null;
                string[]? parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts is { Length: >= 2 } && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                {
                    limit = Math.Min(limit, kb * 1024);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No /proc: the GC's limit alone.
            }

            return limit;
        }
    }

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
                $"this config needs at least {Gb(need)} for one meta-iteration's episodes (sampler.meta_batch_size {s.MetaBatchSize} × episodes_per_task {s.EpisodesPerTask} × horizon {horizon} × (obs {observationSize} + act {actionSize} + {ScalarsPerStep}) × 8 bytes × 2 batches), more than the {Gb(availableBytes)} available"));
        }
    }

    /// <summary>
    /// Rejects a tabular (Frozen Lake) setting that cannot fit: every task holds its dense transition tensor P(s'|s,a)
    /// (|S|²·|A| values), and exact policy evaluation solves dense |S|×|S| systems (three such matrices at once per
    /// evaluation, one evaluation per worker thread). Refuses, naming <paramref name="sizeOption"/>, the estimate and
    /// the limit, when |S|² overflows an array index or the estimate exceeds <paramref name="availableBytes"/>.
    /// </summary>
    public static double CheckTabular(int size, int actions, int tasks, int workers, long availableBytes, string sizeOption = "--size")
    {
        double states = (double)size * size;
        double perTask = states * states * actions;
        if (perTask > Array.MaxLength)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{sizeOption} {size}: a task's dense transition tensor would have |S|²·|A| = {perTask:G3} entries, more than an array can index ({Array.MaxLength:N0}); the largest size is {(int)Math.Sqrt(Math.Sqrt(Array.MaxLength / (double)actions))}"));
        }

        int concurrent = Math.Max(1, Math.Min(workers, tasks));
        double need = ((perTask * tasks) + (3.0 * states * states * concurrent)) * sizeof(double);
        if (need > availableBytes)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{sizeOption} {size} needs at least {Gb(need)} (|S|²·|A| transition probabilities × {tasks} tasks + 3 |S|×|S| matrices × {concurrent} workers, 8 bytes each), more than the {Gb(availableBytes)} available"));
        }

        return need;
    }

    private static string Gb(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):G3} GiB");
}
