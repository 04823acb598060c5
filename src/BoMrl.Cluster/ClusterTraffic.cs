namespace BoMrl.Cluster;

/// <summary>
/// What a cluster run sent and received (payload bytes: 8 per double of the iteration's state, the UTF-8 length of each
/// encoded step, reply and outcome) and how often a call was retried or a task rebuilt.
/// </summary>
public sealed class ClusterTraffic
{
    private long _sent, _received, _retries, _rebuilds;

    /// <summary>Payload bytes sent to workers.</summary>
    public long BytesSent => Interlocked.Read(ref _sent);

    /// <summary>Payload bytes received from workers.</summary>
    public long BytesReceived => Interlocked.Read(ref _received);

    /// <summary>Calls repeated after a lost or unreachable worker.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Tasks rebuilt on another worker.</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    internal void Sent(long bytes) => Interlocked.Add(ref _sent, bytes);

    internal void Received(long bytes) => Interlocked.Add(ref _received, bytes);

    internal void Retried() => Interlocked.Increment(ref _retries);

    internal void Rebuilt() => Interlocked.Increment(ref _rebuilds);
}
