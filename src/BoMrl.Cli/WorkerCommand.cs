using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using BoMrl.Cluster;
using BoMrl.Numerics;
using Microsoft.Extensions.Hosting;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl worker --cluster redis://HOST:PORT [--bind ADDR] [--port P] [--gateway-port G] [--threads n]</c>: an Orleans
/// silo that hosts the per-task work of <c>bomrl train --cluster</c> runs (docs/distributed.md) until Ctrl-C or SIGTERM.
/// </summary>
internal static class WorkerCommand
{
    /// <summary>How long joining the cluster may take before the worker gives up with one line.</summary>
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long leaving the cluster may take after Ctrl-C or SIGTERM.</summary>
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(10);

    public static Command Create(CliContext ctx)
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster's Redis: redis://HOST:PORT (membership only)", Required = true };
        var bind = new Option<string>("--bind") { Description = "Address to listen on and advertise (default 127.0.0.1: nothing leaves this machine)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Silo-to-silo port", DefaultValueFactory = _ => 11111 };
        var gateway = new Option<int>("--gateway-port") { Description = "Port the learner's client connects to", DefaultValueFactory = _ => 30000 };
        var threads = new Option<int>("--threads") { Description = "Tasks worked on at once, 0 = all cores", DefaultValueFactory = _ => 0 };
        var tls = new Option<string?>("--tls") { Description = "The cluster's certificate (PKCS#12 with key; password in BOMRL_TLS_PASSWORD): mutual TLS, only peers with the same certificate" };
        var cmd = new Command("worker", "Host per-task work of `bomrl train --cluster` runs (an Orleans silo with Redis membership).")
        {
            cluster, bind, port, gateway, threads, tls,
        };
        cmd.SetAction(p => Run(ctx, p.GetValue(cluster)!, p.GetValue(bind)!, p.GetValue(port), p.GetValue(gateway), p.GetValue(threads),
            p.GetValue(tls)));
        return cmd;
    }

    private static int Run(CliContext ctx, string cluster, string bind, int port, int gateway, int threads, string? tlsFile)
    {
        Validate(cluster, bind, port, gateway, threads, out IPAddress address);
        ClusterTls? tls = ClusterSupport.LoadTls(tlsFile);
        int n = ThreadCount.Resolve(threads);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.Cancellation);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        IHost host;
        try
        {
            using var join = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            join.CancelAfter(JoinTimeout);
            host = ClusterHosting.StartWorkerAsync(cluster, address, port, gateway, n, tls, join.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            if (RedisFailure(e) is { } redis)
            {
                // StackExchange.Redis advises 'abortConnect=false', a setting this command line does not take: say what failed instead.
                string endpoint = ClusterHosting.RedisConnectionString(cluster);
                throw new UsageException($"worker cannot reach Redis at {endpoint} ({RedisReason(redis)}); start redis-server there or correct --cluster");
            }

            string why = e is OperationCanceledException ? $"no answer within {JoinTimeout.TotalSeconds:F0} s" : RunSupport.OneLine(RootMessage(e));
            throw new UsageException($"worker cannot join the cluster at {cluster} on {bind}:{port}/{gateway}: {why}");
        }

        using (Interrupts.Stoppable("leaving the cluster"))
        {
            ctx.Out.WriteLine($"worker ready: bomrl {ClusterBuild.Current}; silo {bind}:{port}, gateway {gateway}, {n} task{(n == 1 ? "" : "s")} at once, cluster {cluster}{(tls is null ? "" : ", mutual TLS")}; Ctrl-C stops");
            ctx.Out.Flush();
            try
            {
                Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }

            // Leaving updates the membership in Redis; when Redis is gone that never completes, so it is bounded.
            Task leaving = host.StopAsync(LeaveTimeout);
            if (!leaving.Wait(LeaveTimeout + TimeSpan.FromSeconds(5)))
            {
                ctx.Error.WriteLine($"bomrl: worker: could not leave the cluster at {cluster} within {LeaveTimeout.TotalSeconds:F0} s (Redis gone?); stopping anyway");
                return 0;
            }

            host.Dispose();
        }

        ctx.Out.WriteLine("worker stopped");
        return 0;
    }

    private static void Validate(string cluster, string bind, int port, int gateway, int threads, out IPAddress address)
    {
        try
        {
            _ = ClusterHosting.RedisConnectionString(cluster);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--cluster: {e.Message}");
        }

        if (!IPAddress.TryParse(bind, out address!) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new UsageException($"--bind must be an IP address of this machine (got '{bind}')");
        }

        foreach ((string name, int value) in new[] { ("--port", port), ("--gateway-port", gateway) })
        {
            if (value is < 1 or > 65535)
            {
                throw new UsageException($"{name} must be a TCP port 1–65535 (got {value})");
            }
        }

        if (port == gateway)
        {
            throw new UsageException($"--port and --gateway-port must differ (both {port})");
        }

        if (threads < 0)
        {
            throw new UsageException($"--threads must be 0 (all cores) or positive (got {threads})");
        }
    }

    /// <summary>The StackExchange.Redis connection failure in <paramref name="e"/>'s causes, if any.</summary>
    private static StackExchange.Redis.RedisConnectionException? RedisFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is StackExchange.Redis.RedisConnectionException r)
            {
                return r;
            }

            if (x is AggregateException { InnerExceptions.Count: > 0 } a && RedisFailure(a.InnerExceptions[0]) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    /// <summary>Why Redis could not be reached, in words: "connection refused", "no answer", ... (the failure type StackExchange.Redis reports).</summary>
    private static string RedisReason(StackExchange.Redis.RedisConnectionException e)
    {
        string inner = e.InnerException is { } i ? RunSupport.OneLine(i.Message).TrimEnd('.') : string.Empty;
        return inner.Length > 0 ? inner.ToLowerInvariant() : e.FailureType switch
        {
            StackExchange.Redis.ConnectionFailureType.UnableToConnect or StackExchange.Redis.ConnectionFailureType.UnableToResolvePhysicalConnection => "connection refused or no answer",
            StackExchange.Redis.ConnectionFailureType.AuthenticationFailure => "authentication failed",
            _ => "no connection",
        };
    }

    private static string RootMessage(Exception e)
    {
        while (e is AggregateException { InnerException: { } inner })
        {
            e = inner;
        }

        return e.Message;
    }
}
