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

    /// <summary>
    /// Starts a worker silo in this process: Redis membership at <paramref name="cluster"/>, silo-to-silo traffic on
    /// <paramref name="siloPort"/> and the learner's gateway on <paramref name="gatewayPort"/>, both bound to and
    /// advertised as <paramref name="bind"/> (loopback unless told otherwise). Dispose the host to leave the cluster.
    /// </summary>
    public static async Task<IHost> StartWorkerAsync(string cluster, IPAddress bind, int siloPort, int gatewayPort,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(bind);
        string redis = RedisConnectionString(cluster);
        IHost host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseRedisClustering(redis)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId))
                .ConfigureEndpoints(bind, siloPort, gatewayPort, listenOnAnyHostAddress: false))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();
        await host.StartAsync(cancellation).ConfigureAwait(false);
        return host;
    }

    /// <summary>
    /// Connects a client (the meta-learner's side) to the workers registered in Redis at <paramref name="cluster"/>;
    /// the returned host owns the connection, its <see cref="IClusterClient"/> makes the grain calls.
    /// </summary>
    public static async Task<(IHost Host, IClusterClient Client)> ConnectAsync(string cluster, CancellationToken cancellation = default)
    {
        string redis = RedisConnectionString(cluster);
        IHost host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseRedisClustering(redis)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId)))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();
        await host.StartAsync(cancellation).ConfigureAwait(false);
        return (host, host.Services.GetRequiredService<IClusterClient>());
    }
}
