using System.Diagnostics;

namespace BoMrl.Cluster;

/// <summary>
/// The learner's view of the live workers: the membership's active silos in address order, asked for at most once per
/// <see cref="WatchInterval"/> by all waiting calls together (a silo declared dead drops out within seconds,
/// docs/distributed.md §3). The question goes to <see cref="IMembershipGrain"/> on whichever worker the client reaches;
/// when no answer has come for <see cref="BlindLimit"/> the view is stale (<see cref="Blind"/>) and waiting calls stop
/// trusting it.
/// </summary>
internal sealed class LiveWorkers(IClusterClient client)
{
    /// <summary>How often a waiting call checks that its worker is still a member.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long the view may go without an answer before a waiting call abandons its worker as unreachable.</summary>
    public static readonly TimeSpan BlindLimit = TimeSpan.FromSeconds(15);

    private readonly Lock _liveLock = new();
    private SiloAddress[] _live = [];
    private long _liveAt;
    private long? _unansweredSince;
    private Task<SiloAddress[]?>? _liveRefresh;

    /// <summary>The live workers in address order, re-read at most once per <see cref="WatchInterval"/> (or now when forced).</summary>
    public async Task<SiloAddress[]> ReadAsync(bool force = false)
    {
        Task<SiloAddress[]?> refresh;
        lock (_liveLock)
        {
            if (!force && Stopwatch.GetElapsedTime(_liveAt) < WatchInterval)
            {
                return _live;
            }

            refresh = _liveRefresh is { IsCompleted: false } running ? running : _liveRefresh = ReadLiveSilosAsync();
        }

        SiloAddress[]? live = await refresh.ConfigureAwait(false);
        lock (_liveLock)
        {
            _liveAt = Stopwatch.GetTimestamp();
            if (live is not null)
            {
                (_live, _unansweredSince) = (live, null);
            }
            else
            {
                _unansweredSince ??= _liveAt;
            }

            return _live;
        }
    }

    /// <summary>Whether every membership read for longer than <see cref="BlindLimit"/> went unanswered.</summary>
    public bool Blind
    {
        get
        {
            lock (_liveLock)
            {
                return _unansweredSince is { } since && Stopwatch.GetElapsedTime(since) > BlindLimit;
            }
        }
    }

    /// <summary>Asks a worker for the active silos (3 s at most; null when no answer comes).</summary>
    private async Task<SiloAddress[]?> ReadLiveSilosAsync()
    {
        try
        {
            Task<SiloAddress[]> hosts = client.GetGrain<IMembershipGrain>(0).ActiveSilos();
            if (await Task.WhenAny(hosts, Task.Delay(TimeSpan.FromSeconds(3))).ConfigureAwait(false) != hosts)
            {
                _ = hosts.ContinueWith(t => t.Exception, TaskScheduler.Default);
                return null;
            }

            return (await hosts.ConfigureAwait(false)).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
