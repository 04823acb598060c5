using System.Globalization;
using BoMrl.Cluster;
using BoMrl.Configuration;
using BoMrl.Meta;
using Microsoft.Extensions.Hosting;

namespace BoMrl.Cli;

/// <summary>What <c>train --cluster</c> adds: joining the cluster as a client and routing the learner's per-task work there.</summary>
internal static class ClusterSupport
{
    /// <summary>Refuses an address that is not redis://HOST:PORT, in one line.</summary>
    public static void CheckAddress(string address)
    {
        try
        {
            _ = ClusterHosting.RedisConnectionString(address);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--cluster: {e.Message}");
        }
    }

    /// <summary>Environment variable holding the password of a --tls certificate file.</summary>
    public const string TlsPasswordVariable = "BOMRL_TLS_PASSWORD";

    /// <summary>The cluster's TLS certificate from --tls (null without), or one usage line naming the file.</summary>
    public static ClusterTls? LoadTls(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            return ClusterTls.Load(path, Environment.GetEnvironmentVariable(TlsPasswordVariable));
        }
        catch (FormatException e)
        {
            throw new UsageException($"--tls: {e.Message}");
        }
    }

    /// <summary>
    /// Joins the cluster at <paramref name="address"/> and makes <paramref name="learner"/> run its per-task cells there
    /// (one-line usage error when the cluster cannot be reached or the learner does not run per task).
    /// </summary>
    public static Connection Connect(IMetaLearner learner, TrainConfig config, string address, TimeSpan wait, ClusterTls? tls,
        CancellationToken cancellation)
    {
        if (learner is not PerTaskMetaLearner perTask)
        {
            throw new UsageException($"--cluster: algorithm '{learner.Algorithm}' does not run per task");
        }

        IHost host;
        IClusterClient client;
        try
        {
            (host, client) = ClusterHosting.ConnectAsync(address, wait, tls, cancellation).GetAwaiter().GetResult();
        }
        catch (ClusterUnavailableException e)
        {
            throw new UsageException(e.Message);
        }

        string runId = Guid.NewGuid().ToString("N")[..16];
        var executor = new ClusterTaskExecutor(client, new RunSpec(ConfigLoader.ToJson(config), config.Seed, ClusterBuild.Current), runId, address, wait);
        ITaskExecutor local = perTask.Executor;
        perTask.Executor = executor;
        return new Connection(host, executor, perTask, local);
    }

    /// <summary>The client's connection; disposing it leaves the cluster and gives the learner its local executor back.</summary>
    internal sealed class Connection(IHost host, ClusterTaskExecutor executor, PerTaskMetaLearner learner, ITaskExecutor local) : IDisposable
    {
        /// <summary>One line: workers, payload megabytes each way, retries and rebuilds.</summary>
        public string Summary() => string.Create(CultureInfo.InvariantCulture,
            $"cluster: {executor.Workers} worker(s) in the last iteration; payload {executor.Traffic.BytesSent / 1e6:F1} MB sent, " +
            $"{executor.Traffic.BytesReceived / 1e6:F1} MB received; {executor.Traffic.Retries} retried call(s), {executor.Traffic.Rebuilds} rebuilt task(s)");

        public void Dispose()
        {
            learner.Executor = local;
            try
            {
                host.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
            }

            host.Dispose();
        }
    }
}
