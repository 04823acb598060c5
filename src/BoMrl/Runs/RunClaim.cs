using System.Text.Json;
using BoMrl.Environments.Mujoco;
using BoMrl.IO;

namespace BoMrl.Runs;

/// <summary>What wrote a run folder; recorded in <c>DIR/run.json</c>.</summary>
public static class RunKinds
{
    /// <summary><c>bomrl train</c>: config.json, metrics.csv, checkpoints/, training.png (test.json, test.png from <c>bomrl test</c>).</summary>
    public const string Train = "train";

    /// <summary><c>bomrl frozenlake</c>: summary.json, CSVs and figures of one Frozen Lake configuration.</summary>
    public const string FrozenLake = "frozenlake";

    /// <summary><c>bomrl reproduce</c>: frozenlake.md and one frozenlake folder per configuration.</summary>
    public const string Reproduce = "reproduce";

    /// <summary>A study of several configurations (sweeps).</summary>
    public const string Study = "study";

    /// <summary>The files and folders a kind writes (what <c>--force</c> removes before another run takes the folder).</summary>
    public static string[] Outputs(string kind) => kind switch
    {
        Train => ["config.json", "metrics.csv", "checkpoints", "training.png", "test.json", "test.png"],
        FrozenLake => ["config.json", "summary.json", "returns_by_step.csv", "returns_by_step.png", "optimality_gap.csv",
            "optimality_gap.png", "training.csv"],
        Reproduce => ["frozenlake.md", "high-kl1", "high-kl2", "high-l2", "low-kl1", "low-kl2", "low-l2"],
        _ => [],
    };
}

/// <summary>The content of <c>DIR/run.json</c>: which verb wrote the folder and whether it finished.</summary>
/// <param name="Kind">One of <see cref="RunKinds"/>.</param>
/// <param name="Finished">Whether the writer completed (a finished folder is not overwritten without --force).</param>
public sealed record RunInfo(string Kind, bool Finished);

/// <summary>A run folder that is not ours to write: another kind, already finished, or nothing to resume.</summary>
public sealed class RunFolderException(string message) : Exception(message);

/// <summary>
/// The right to write one run folder: its <see cref="RunLock"/> (held until disposed) and its kind recorded in
/// run.json. <see cref="Take"/> refuses, with one line naming the folder and what it holds, a non-empty folder of
/// another kind, a finished folder of the same kind (a train run: any existing run unless resumed), and a resume of
/// anything but the same kind; <c>force</c> lifts the first two and removes the previous run's outputs first.
/// </summary>
public sealed class RunClaim : IDisposable
{
    /// <summary>Name of the kind file inside a run folder.</summary>
    public const string InfoFileName = "run.json";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    private readonly RunLock _lock;

    private RunClaim(string path, string kind, RunLock held)
    {
        Path = path;
        Kind = kind;
        _lock = held;
    }

    /// <summary>Absolute path of the claimed folder.</summary>
    public string Path { get; }

    /// <summary>The kind this claim writes.</summary>
    public string Kind { get; }

    /// <summary>
    /// Locks <paramref name="directory"/> (creating it) and checks that a <paramref name="kind"/> run may write it. A
    /// refusal is decided before anything is created where possible, and a claim refused under the lock is undone
    /// (<see cref="RunLock.ReleaseAndUndo"/>), so a refused run leaves the folder as it was.
    /// </summary>
    public static RunClaim Take(string directory, string kind, bool resume = false, bool force = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        string dir = System.IO.Path.GetFullPath(directory);
        if (!File.Exists(dir))
        {
            Check(dir, Inspect(dir), kind, resume, force); // refuse before the lock file is created
        }

        RunLock held = RunLock.Acquire(dir);
        return Guarded(held, () =>
        {
            RunInfo? existing = Inspect(dir);
            Check(dir, existing, kind, resume, force);
            if (existing is not null && force && !resume)
            {
                RemoveOutputs(dir, existing.Kind);
            }

            var claim = new RunClaim(dir, kind, held);
            claim.Record(finished: false);
            return claim;
        });
    }

    /// <summary>
    /// Runs <paramref name="make"/> under a freshly taken lock: a refusal (<see cref="RunFolderException"/>) undoes the
    /// lock and what it created, any other failure releases it; either way the exception goes on.
    /// </summary>
    private static RunClaim Guarded(RunLock held, Func<RunClaim> make)
    {
        try
        {
            return make();
        }
        catch (RunFolderException)
        {
            held.ReleaseAndUndo();
            throw;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Locks an existing <paramref name="kind"/> run folder to add to it without changing its kind or state (what
    /// <c>bomrl test</c> does to a train run: test.json, test.png); refuses a missing folder and one of another kind, and
    /// names the holder when another process writes the folder, followed by <paramref name="advice"/>.
    /// </summary>
    public static RunClaim Join(string directory, string kind, string advice)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = System.IO.Path.GetFullPath(directory);
        if (!Directory.Exists(dir))
        {
            throw new RunFolderException(File.Exists(dir) ? $"{dir} is a file, not a run folder" : $"{dir} does not exist");
        }

        RunLock held = RunLock.Acquire(dir, advice);
        return Guarded(held, () =>
        {
            if (Inspect(dir) is { } other && other.Kind != kind)
            {
                throw new RunFolderException($"{dir} holds a {other.Kind} run, not a {kind} run");
            }

            return new RunClaim(dir, kind, held);
        });
    }

    /// <summary>Refuses, with one line, what a <paramref name="kind"/> run may not do to a folder holding <paramref name="existing"/>.</summary>
    private static void Check(string dir, RunInfo? existing, string kind, bool resume, bool force)
    {
        if (resume)
        {
            if (existing?.Kind != kind)
            {
                throw new RunFolderException(existing is null
                    ? $"--resume: {dir} holds no {kind} run"
                    : $"--resume: {dir} holds a {existing.Kind} run, not a {kind} run");
            }
        }
        else if (existing is not null && !force)
        {
            if (existing.Kind != kind)
            {
                throw new RunFolderException(existing.Kind == "unknown"
                    ? $"{dir} is not empty and holds no bomrl run; choose a new or empty --out, or pass --force"
                    : $"{dir} holds a {existing.Kind} run; writing a {kind} run there would mix their files; choose another --out or pass --force");
            }

            if (kind == RunKinds.Train || existing.Finished)
            {
                throw new RunFolderException(kind == RunKinds.Train
                    ? $"{dir} already holds a run; pass --resume to continue it, --force to start it over, or choose another --out"
                    : $"{dir} already holds a finished {kind} run; pass --force to overwrite it or choose another --out");
            }
        }
    }

    /// <summary>
    /// What <paramref name="directory"/> holds: null when it is missing or empty (dot files aside), its run.json, or for
    /// folders written before run.json existed the kind its files show ("unknown" when none).
    /// </summary>
    public static RunInfo? Inspect(string directory)
    {
        string dir = System.IO.Path.GetFullPath(directory);
        if (!Directory.Exists(dir) || !Directory.EnumerateFileSystemEntries(dir).Any(e => !System.IO.Path.GetFileName(e).StartsWith('.')))
        {
            return null;
        }

        string info = System.IO.Path.Combine(dir, InfoFileName);
        if (File.Exists(info))
        {
            try
            {
                RunInfo? r = JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(info), s_json);
                if (r?.Kind is not null)
                {
                    return r;
                }
            }
            catch (JsonException)
            {
                // Unreadable run.json: judged by the files below.
            }
        }

        bool Has(string name) => System.IO.Path.Exists(System.IO.Path.Combine(dir, name));
        return true switch
        {
            _ when Has("checkpoints") || Has("metrics.csv") => new RunInfo(RunKinds.Train, false),
            _ when Has("summary.json") => new RunInfo(RunKinds.FrozenLake, true),
            _ when Has("frozenlake.md") => new RunInfo(RunKinds.Reproduce, true),
            _ when RunKinds.Outputs(RunKinds.Reproduce).Any(Has) => new RunInfo(RunKinds.Reproduce, false),
            _ when LocomotionTasks.Names.Any(Has) => new RunInfo(RunKinds.Study, false),
            _ => new RunInfo("unknown", false),
        };
    }

    /// <summary>Records that the writer completed (run.json "finished": true).</summary>
    public void Finish() => Record(finished: true);

    /// <summary>Releases the folder's lock.</summary>
    public void Dispose() => _lock.Dispose();

    private void Record(bool finished) =>
        AtomicFile.WriteAllText(System.IO.Path.Combine(Path, InfoFileName), JsonSerializer.Serialize(new RunInfo(Kind, finished), s_json) + "\n");

    private static void RemoveOutputs(string dir, string kind)
    {
        foreach (string name in RunKinds.Outputs(kind).Append(InfoFileName))
        {
            string p = System.IO.Path.Combine(dir, name);
            if (Directory.Exists(p))
            {
                Directory.Delete(p, recursive: true);
            }
            else if (File.Exists(p))
            {
                File.Delete(p);
            }
        }
    }
}
