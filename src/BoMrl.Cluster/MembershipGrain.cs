using Orleans.Concurrency;

namespace BoMrl.Cluster;

/// <summary>
/// The membership as one worker sees it: its active silos. A stateless worker, so the learner's call is answered by
/// the gateway that receives it, never by a single activation that may itself sit on a lost worker (the management
/// grain's GetHosts would then never answer and the watch would go blind).
/// </summary>
[Alias("BoMrl.Cluster.IMembershipGrain")]
public interface IMembershipGrain : IGrainWithIntegerKey
{
    /// <summary>The silos this worker's membership view holds active.</summary>
    [Alias("ActiveSilos")]
    Task<SiloAddress[]> ActiveSilos();
}

/// <summary>Answers <see cref="IMembershipGrain"/> from the receiving worker's <see cref="IClusterMembershipService"/>.</summary>
[StatelessWorker]
internal sealed class MembershipGrain(IClusterMembershipService membership) : Grain, IMembershipGrain
{
    /// <inheritdoc/>
    public Task<SiloAddress[]> ActiveSilos() => Task.FromResult(membership.CurrentSnapshot.Members.Values
        .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray());
}
