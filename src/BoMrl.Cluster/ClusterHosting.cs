using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace BoMrl.Cluster;

/// <summary>
/// Starting a worker silo and connecting the learner's client, both over Redis membership (docs/distributed.md,
/// "Set-up"). A cluster address is written redis://HOST:PORT; Redis itself only stores the membership table.
/// </summary>
public static class ClusterHosting
{
    /// <summary>The Orleans cluster and service id of every BO-MRL cluster (silos and clients must agree).</summary>
    public const string ClusterId = "bomrl";

    /// <summary>
    /// The StackExchange.Redis connection string ("HOST:PORT") of a cluster address redis://HOST:PORT; throws a
    /// <see cref="FormatException"/> naming the address otherwise.
    /// </summary>
    public static string RedisConnectionString(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) || uri.Scheme != "redis" || uri.Port <= 0
            || uri.Host.Length == 0 || uri.AbsolutePath is not ("" or "/") || uri.UserInfo.Length > 0)
        {
            throw new FormatException($"a cluster address must be redis://HOST:PORT (got '{address}')");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{uri.Port}");
    }

    /// <summary>How long one step may take (a queued collect on a busy worker included); lost workers are detected sooner, by membership.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Starts a worker silo in this process: Redis membership at <paramref name="cluster"/>, silo-to-silo traffic on
    /// <paramref name="siloPort"/> and the learner's gateway on <paramref name="gatewayPort"/>, both bound to and
    /// advertised as <paramref name="bind"/> (loopback unless told otherwise), <paramref name="threads"/> steps at once.
    /// A silo that stops answering probes is declared dead after about 3–5 s. Dispose the host to leave the cluster.
    /// </summary>
    public static async Task<IHost> StartWorkerAsync(string cluster, IPAddress bind, int siloPort, int gatewayPort, int threads = 1,
        ClusterTls? tls = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        string redis = RedisConnectionString(cluster);
        IHost host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseRedisClustering(redis)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId))
                .Configure<ClusterMembershipOptions>(o =>
                {
                    // Faster than Orleans' defaults (10 s probes), so a lost worker's tasks move within seconds.
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                    o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                })
                .Configure<SiloMessagingOptions>(o => (o.ResponseTimeout, o.SystemResponseTimeout) = (ResponseTimeout, TimeSpan.FromSeconds(30)))
                .ConfigureEndpoints(bind, siloPort, gatewayPort, listenOnAnyHostAddress: false)
                .ConfigureServices(services => services.AddSingleton(new WorkerRuns(threads)))
                .UseClusterTls(tls))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Critical))
            .Build();
        await host.StartAsync(cancellation).ConfigureAwait(false);
        return host;
    }

    /// <summary>
    /// Connects a client (the meta-learner's side) to the workers registered in Redis at <paramref name="cluster"/>;
    /// the returned host owns the connection, its <see cref="IClusterClient"/> makes the grain calls. Fails with a
    /// <see cref="ClusterUnavailableException"/> naming the address when Redis or every worker stays unreachable for
    /// <paramref name="wait"/>.
    /// </summary>
    public static async Task<(IHost Host, IClusterClient Client)> ConnectAsync(string cluster, TimeSpan wait, ClusterTls? tls = null,
        CancellationToken cancellation = default)
    {
        string redis = RedisConnectionString(cluster);
        IHost host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseRedisClustering(o =>
                {
                    o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis);
                    o.ConfigurationOptions.ConnectTimeout = (int)Math.Min(wait.TotalMilliseconds, 10_000);
                    o.ConfigurationOptions.AbortOnConnectFail = true;
                })
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId))
                .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout)
                .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2))
                .UseClusterTls(tls))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Critical))
            .Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(wait);
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            host.Dispose();
            string why = e is OperationCanceledException ? $"no answer within {wait.TotalSeconds:F0} s" : e.Message.ReplaceLineEndings(" ").Trim();
            throw new ClusterUnavailableException($"cannot join the cluster at {cluster}: {why} (is redis-server running there, and a `bomrl worker --cluster {cluster}`{(tls is null ? " without --tls" : " with the same --tls certificate")}?)", e);
        }

        return (host, host.Services.GetRequiredService<IClusterClient>());
    }
}
