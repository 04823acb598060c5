using BoMrl.Runs;

namespace BoMrl.Studies;

/// <summary>
/// The ETA of a whole study: each run's remaining iterations times its method's measured seconds per iteration (the
/// mean over every iteration seen so far, this session's and the checkpointed runs'; a method not measured yet takes the
/// mean of the measured ones). Meta-tests are not counted.
/// </summary>
internal sealed class StudyClock(int iterations)
{
    private readonly Dictionary<StudyRun, int> _completed = [];
    private readonly Dictionary<string, (double Seconds, int Count)> _perMethod = [];

    /// <summary>Takes a run's checkpointed rows (its completed iterations and their times).</summary>
    public void Record(StudyRun run, IReadOnlyCollection<MetricsRow> rows)
    {
        int before = _completed.GetValueOrDefault(run);
        _completed[run] = rows.Count;
        foreach (MetricsRow row in rows.Skip(before))
        {
            Add(run.Method, row.TimeTotal);
        }
    }

    /// <summary>One more iteration of <paramref name="run"/> (now <paramref name="completed"/> done) that took <paramref name="seconds"/>.</summary>
    public void Update(StudyRun run, int completed, double seconds)
    {
        _completed[run] = completed;
        Add(run.Method, seconds);
    }

    /// <summary>Estimated training time left over <paramref name="runs"/>.</summary>
    public TimeSpan Remaining(IEnumerable<StudyRun> runs)
    {
        double known = _perMethod.Count == 0 ? 0 : _perMethod.Values.Average(v => v.Seconds / v.Count);
        double seconds = 0;
        foreach (StudyRun r in runs)
        {
            int left = Math.Max(0, iterations - _completed.GetValueOrDefault(r));
            seconds += left * (_perMethod.TryGetValue(r.Method, out var m) ? m.Seconds / m.Count : known);
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private void Add(string method, double seconds)
    {
        (double s, int c) = _perMethod.GetValueOrDefault(method);
        _perMethod[method] = (s + seconds, c + 1);
    }
}
