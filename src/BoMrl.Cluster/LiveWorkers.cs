using System.Diagnostics;

namespace BoMrl.Cluster;

/// <summary>
/// The learner's view of the live workers: the membership's active silos in address order, asked for at most once per
/// <see cref="WatchInterval"/> by all waiting calls together (a silo declared dead drops out within seconds,
/// docs/distributed.md §3).
/// </summary>
internal sealed class LiveWorkers(IClusterClient client)
{
    /// <summary>How often a waiting call checks that its worker is still a member.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _liveLock = new();
    private SiloAddress[] _live = [];
    private long _liveAt;
    private Task<SiloAddress[]>? _liveRefresh;

    /// <summary>The live workers in address order, re-read at most once per <see cref="WatchInterval"/> (or now when forced).</summary>
    public async Task<SiloAddress[]> ReadAsync(bool force = false)
    {
        Task<SiloAddress[]> refresh;
        lock (_liveLock)
        {
            if (!force && Stopwatch.GetElapsedTime(_liveAt) < WatchInterval)
            {
                return _live;
            }

            refresh = _liveRefresh is { IsCompleted: false } running ? running : _liveRefresh = ReadLiveSilosAsync();
        }

        SiloAddress[] live = await refresh.ConfigureAwait(false);
        lock (_liveLock)
        {
            (_live, _liveAt) = (live, Stopwatch.GetTimestamp());
        }

        return live;
    }

    /// <summary>Asks the membership for the active silos (3 s at most; the last answer when it does not come).</summary>
    private async Task<SiloAddress[]> ReadLiveSilosAsync()
    {
        try
        {
            Task<Dictionary<SiloAddress, SiloStatus>> hosts = client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            if (await Task.WhenAny(hosts, Task.Delay(TimeSpan.FromSeconds(3))).ConfigureAwait(false) != hosts)
            {
                _ = hosts.ContinueWith(t => t.Exception, TaskScheduler.Default);
                return _live;
            }

            return (await hosts.ConfigureAwait(false)).Keys.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [];
        }
    }
}
