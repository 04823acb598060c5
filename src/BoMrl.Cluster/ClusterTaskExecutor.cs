using System.Diagnostics;
using BoMrl.Meta;
using Orleans.Runtime.Placement;

namespace BoMrl.Cluster;

/// <summary>
/// The <see cref="ITaskExecutor"/> of a cluster run (docs/distributed.md): every task of iteration k is the grain of
/// (run, k, i) on a worker silo, which keeps the task's <see cref="MetaTask"/>; a step travels as one encoded record
/// (<see cref="TaskCodec"/>) and its reply back, so only φ, vectors of φ's size and scalars travel.
/// Tasks are spread over the live workers (task i on worker i mod W, re-read every iteration, so a worker that joins is
/// used from the next one). A call that fails because its worker is gone is retried on a live worker, which first
/// rebuilds the task's state from the learner's state and the steps that changed it (<see cref="ITaskGrain.Rebuild"/>); with no live worker for
/// <see cref="MaxWait"/> the run stops with <see cref="ClusterUnavailableException"/>. The learner reduces the
/// returned parts in task order, so the results equal the local run's bit for bit.
/// </summary>
public sealed class ClusterTaskExecutor : ITaskExecutor
{
    private readonly IClusterClient _client;
    private readonly RunSpec _run;
    private readonly string _address;
    private readonly Lock _homeLock = new();
    private readonly LiveWorkers _live;
    private SiloAddress?[] _home = [];
    private IterationSpec? _iteration;
    private TaskMessage[] _replay = [];
    private int _k;
    private int _tasks;

    /// <summary>Creates the executor of one run (<paramref name="runId"/> must be unique to this training session).</summary>
    public ClusterTaskExecutor(IClusterClient client, RunSpec run, string runId, string address, TimeSpan maxWait)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _live = new LiveWorkers(client);
        _run = run ?? throw new ArgumentNullException(nameof(run));
        RunId = runId ?? throw new ArgumentNullException(nameof(runId));
        _address = address ?? throw new ArgumentNullException(nameof(address));
        MaxWait = maxWait;
        _ = new TaskKey(runId, 0, 0).ToString(); // validates the id
    }

    /// <summary>The run's id in task keys.</summary>
    public string RunId { get; }

    /// <summary>How long a task's call may wait for a live worker before the run stops.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>Payload bytes sent to and received from the workers (8 per double; the messages' framing not counted).</summary>
    public ClusterTraffic Traffic { get; } = new();

    /// <summary>Worker silos used in the current iteration.</summary>
    public int Workers { get; private set; }

    /// <inheritdoc/>
    public CollectedIteration Collect(int iteration, MetaLearnerState state, double[][] tasks)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tasks);
        (_k, _tasks) = (iteration, tasks.Length);
        _iteration = new IterationSpec(_run, state.Phi, state.OptimizerState);
        _replay = [];
        SiloAddress[] live = _live.ReadAsync(force: true).GetAwaiter().GetResult();
        Workers = live.Length;
        _home = new SiloAddress?[tasks.Length];
        for (int i = 0; i < tasks.Length && live.Length > 0; i++)
        {
            _home[i] = live[i % live.Length];
        }

        Traffic.Sent(tasks.Length * (state.Phi.Length + state.OptimizerState.Length + 1) * 8L + tasks.Length * (long)_run.ConfigJson.Length);
        long start = Stopwatch.GetTimestamp();
        CollectReply[] replies = All(i => Call(i, g => g.Collect(_iteration)));
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var collected = new TaskCollected[tasks.Length];
        double sampling = 0, inner = 0;
        for (int i = 0; i < tasks.Length; i++)
        {
            CollectReply r = replies[i];
            collected[i] = TaskCodec.Decode<TaskCollected>(r.Outcome.Json);
            Traffic.Received(Bytes(r.Outcome) + 16);
            sampling += r.SamplingSeconds;
            inner += r.InnerSeconds;
        }

        // The phase's wall time, split between sampling and adaptation as the workers' own seconds split.
        double share = sampling + inner > 0 ? sampling / (sampling + inner) : 1;
        return new CollectedIteration(collected, wall * share, wall * (1 - share));
    }

    /// <summary>
    /// Sends <paramref name="step"/> to every task's grain and decodes the replies; a step that changes the tasks' state
    /// joins, once every task has run it, the steps a rebuilt task replays.
    /// </summary>
    public TReply[] Run<TReply>(TaskStep<TReply> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var message = new TaskMessage(TaskCodec.Encode<TaskStep>(step));
        TaskMessage[] replies = All(i => Call(i, g => g.Run(message)));
        Traffic.Sent(_tasks * Bytes(message));
        if (step.ChangesTaskState())
        {
            _replay = [.. _replay, message];
        }

        return [.. replies.Select(r =>
        {
            Traffic.Received(Bytes(r));
            return TaskCodec.Decode<TReply>(r.Json);
        })];
    }

    private static long Bytes(TaskMessage message) => System.Text.Encoding.UTF8.GetByteCount(message.Json);

    /// <inheritdoc/>
    public void EndIteration()
    {
        // Freeing the workers' memory is best effort: a lost worker's activations are gone anyway.
        var releases = new Task[_tasks];
        for (int i = 0; i < _tasks; i++)
        {
            releases[i] = Grain(i).Release();
        }

        try
        {
            Task.WhenAll(releases).Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }
    }

    private ITaskGrain Grain(int task) => _client.GetGrain<ITaskGrain>(new TaskKey(RunId, _k, task).ToString());

    /// <summary>Runs one call per task concurrently and waits for all (the first failure in task order is thrown).</summary>
    private T[] All<T>(Func<int, Task<T>> call)
    {
        var calls = new Task<T>[_tasks];
        for (int i = 0; i < _tasks; i++)
        {
            calls[i] = call(i);
        }

        try
        {
            Task.WaitAll(calls);
        }
        catch (AggregateException)
        {
            foreach (Task<T> c in calls)
            {
                if (c.IsFaulted)
                {
                    throw c.Exception!.InnerExceptions[0];
                }
            }

            throw;
        }

        return calls.Select(c => c.Result).ToArray();
    }

    /// <summary>
    /// One call to task i's grain, placed by hint on its home worker (i mod W when the iteration began): a lost state
    /// is rebuilt and the call repeated; a call whose worker leaves the membership is abandoned and repeated on a live
    /// worker (Orleans does not fail a request whose silo died), up to <see cref="MaxWait"/>; a failure of the work
    /// itself is the learner's failure of task i. A call with no home (no worker was known when it was placed) cannot
    /// know where it went, so it watches every worker live at that moment; every waiting call reads the membership,
    /// so a view left blind for <see cref="LiveWorkers.BlindLimit"/> abandons homed and homeless calls alike.
    /// </summary>
    private async Task<T> Call<T>(int task, Func<ITaskGrain, Task<T>> call)
    {
        long start = Stopwatch.GetTimestamp();
        Exception? last = null;
        while (true)
        {
            SiloAddress? home = Home(task);
            SiloAddress[] watched = home is not null ? [home] : await _live.ReadAsync().ConfigureAwait(false);
            try
            {
                Task<T> pending;
                if (home is not null)
                {
                    RequestContext.Set(IPlacementDirector.PlacementHintKey, home);
                }

                try
                {
                    pending = call(Grain(task));
                }
                finally
                {
                    RequestContext.Remove(IPlacementDirector.PlacementHintKey);
                }

                while (await Task.WhenAny(pending, Task.Delay(LiveWorkers.WatchInterval)).ConfigureAwait(false) != pending)
                {
                    SiloAddress[] members = await _live.ReadAsync().ConfigureAwait(false);
                    if (watched.FirstOrDefault(w => !members.Contains(w)) is { } gone)
                    {
                        _ = pending.ContinueWith(t => t.Exception, TaskScheduler.Default); // abandoned: observe its late failure
                        throw new SiloUnavailableException($"worker {gone} left the cluster");
                    }

                    if (_live.Blind)
                    {
                        _ = pending.ContinueWith(t => t.Exception, TaskScheduler.Default);
                        throw new SiloUnavailableException($"no worker has answered a membership read for {LiveWorkers.BlindLimit.TotalSeconds:F0} s");
                    }
                }

                return await pending.ConfigureAwait(false);
            }
            catch (TaskWorkFailedException e)
            {
                throw e.ToLocal(task);
            }
            catch (TaskStateLostException)
            {
                Traffic.Rebuilt();
                RebuildSpec spec = new(_iteration!, _replay);
                await Call(task, async g =>
                {
                    await g.Rebuild(spec).ConfigureAwait(false);
                    return 0;
                }).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is not (OperationCanceledException or ArgumentException))
            {
                last = e; // the worker is gone or unreachable: wait for a live one, then place the task anew
            }

            TimeSpan waited = Stopwatch.GetElapsedTime(start);
            if (waited > MaxWait)
            {
                throw new ClusterUnavailableException(
                    $"cluster {_address}: no live worker answered task {task} of meta-iteration {_k} for {MaxWait.TotalSeconds:F0} s " +
                    $"({Describe(last)})", last);
            }

            Traffic.Retried();
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            SiloAddress[] live = await _live.ReadAsync(force: true).ConfigureAwait(false);
            lock (_homeLock)
            {
                if (live.Length > 0 && task < _home.Length && (_home[task] is not { } h || !live.Contains(h)))
                {
                    _home[task] = live[task % live.Length];
                }
            }
        }
    }

    private SiloAddress? Home(int task)
    {
        lock (_homeLock)
        {
            return task < _home.Length ? _home[task] : null;
        }
    }

    private static string Describe(Exception? e) => e is null ? "no answer" : e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
