using System.Collections.Concurrent;
using System.Globalization;

namespace BoMrl.IO;

/// <summary>
/// An exclusive operating-system lock on a folder, held for the life of one writer: <c>DIR/.lock</c> opened with
/// <see cref="FileShare.None"/> (an advisory <c>flock</c> on Linux, so the kernel releases it when the process dies,
/// even after <c>kill -9</c>; a stale .lock file is harmless). The holder's process id is written to
/// <c>DIR/.lock.pid</c> so that a second writer can name it; the pid file is removed when the lock is released, also
/// when the process ends by SIGTERM or <see cref="Environment.Exit"/>. Readers take the same lock shared
/// (<see cref="TryShared"/>), so they never read a folder while a writer holds it.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>Name of the lock file inside the folder.</summary>
    public const string FileName = ".lock";

    /// <summary>Name of the side file that holds the holder's process id.</summary>
    public const string PidFileName = ".lock.pid";

    /// <summary>Pid files of the locks this process holds, removed at process exit (SIGTERM, Environment.Exit).</summary>
    private static readonly ConcurrentDictionary<string, byte> s_held = new(StringComparer.Ordinal);

    private readonly FileStream _stream;
    private readonly string? _pidPath;
    private readonly string _lockPath;

    static RunLock() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (string pid in s_held.Keys)
        {
            TryDelete(pid);
        }
    };

    private RunLock(FileStream stream, string lockPath, string? pidPath, bool createdFolder, bool createdLockFile)
    {
        _stream = stream;
        _lockPath = lockPath;
        _pidPath = pidPath;
        CreatedFolder = createdFolder;
        CreatedLockFile = createdLockFile;
        if (pidPath is not null)
        {
            s_held[pidPath] = 0;
        }
    }

    /// <summary>Whether <see cref="Acquire"/> created the folder (it did not exist before).</summary>
    public bool CreatedFolder { get; }

    /// <summary>Whether <see cref="Acquire"/> created the .lock file.</summary>
    public bool CreatedLockFile { get; }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and takes its lock; throws <see cref="FolderLockedException"/>
    /// (naming the holder's PID when known, then <paramref name="advice"/>) when another process holds it, and
    /// <see cref="FolderNotWritableException"/> (read-only file system, permission denied, a file in the way, ...) when
    /// the folder cannot be written.
    /// </summary>
    public static RunLock Acquire(string directory, string advice = FolderLockedException.DefaultAdvice)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.GetFullPath(directory);
        string lockPath = Path.Combine(dir, FileName);
        string pidPath = Path.Combine(dir, PidFileName);
        if (File.Exists(dir))
        {
            throw new FolderNotWritableException(dir, Unresolvable(dir) ? "a symbolic link that leads nowhere (a loop, or its target is missing)" : "it is a file, not a folder");
        }

        bool createdFolder = !Directory.Exists(dir);
        bool createdLock = !File.Exists(lockPath);
        FileStream? stream = null;
        try
        {
            Directory.CreateDirectory(dir);
            FaultInjection.Check(lockPath);
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            AtomicFile.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch (IOException e) when (stream is null && FileSystemErrors.IsContention(e))
        {
            throw new FolderLockedException(dir, HolderPid(pidPath), advice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leave the folder as it was: no .lock and no folder of ours.
            if (stream is not null && createdLock)
            {
                TryDelete(lockPath);
            }

            stream?.Dispose();
            if (createdFolder)
            {
                TryDeleteEmptyFolder(dir);
            }

            throw new FolderNotWritableException(dir, FileSystemErrors.Describe(e), e);
        }

        return new RunLock(stream, lockPath, pidPath, createdFolder, createdLock);
    }

    /// <summary>
    /// A reader's shared hold on <paramref name="directory"/>: null when the folder has no .lock file (no bomrl writer
    /// has written it) or the lock file cannot be opened for reading; throws <see cref="FolderLockedException"/> when a
    /// writer holds the folder now. While held, no writer can take the folder.
    /// </summary>
    public static RunLock? TryShared(string directory, string advice)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.GetFullPath(directory);
        string lockPath = Path.Combine(dir, FileName);
        if (!File.Exists(lockPath))
        {
            return null;
        }

        try
        {
            var stream = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            return new RunLock(stream, lockPath, null, createdFolder: false, createdLockFile: false);
        }
        catch (IOException e) when (FileSystemErrors.IsContention(e))
        {
            throw new FolderLockedException(dir, HolderPid(Path.Combine(dir, PidFileName)), advice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone meanwhile or unreadable: nothing to wait for
        }
    }

    /// <summary>Whether <paramref name="path"/> is a symbolic link whose final target cannot be reached.</summary>
    internal static bool Unresolvable(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is not { Exists: true };
        }
        catch (IOException)
        {
            return true; // a loop: too many levels of symbolic links
        }
    }

    /// <summary>The PID recorded by the holder, or null when unreadable.</summary>
    private static int? HolderPid(string pidPath)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Releases the lock and undoes what taking it added to the user's file system: the .lock file when it was created
    /// here, and the folder when it was created here and is empty again (a refused writer leaves the folder as it was).
    /// </summary>
    public void ReleaseAndUndo()
    {
        string dir = Path.GetDirectoryName(_lockPath)!;
        DeletePid();
        if (CreatedLockFile)
        {
            TryDelete(_lockPath); // still held: nobody else can have taken this file's lock
        }

        _stream.Dispose();
        if (CreatedFolder)
        {
            TryDeleteEmptyFolder(dir);
        }
    }

    /// <summary>Releases the lock (the pid file goes first, so it never names a process that no longer holds the lock).</summary>
    public void Dispose()
    {
        DeletePid();
        _stream.Dispose();
    }

    private void DeletePid()
    {
        if (_pidPath is not null)
        {
            TryDelete(_pidPath);
            s_held.TryRemove(_pidPath, out _);
        }
    }

    private static void TryDeleteEmptyFolder(string dir)
    {
        try
        {
            Directory.Delete(dir); // only when empty
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something else was written there meanwhile: keep it.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover pid file only names a former holder; a leftover .lock is harmless.
        }
    }
}

/// <summary>Another process holds a folder's <see cref="RunLock"/>.</summary>
public sealed class FolderLockedException(string directory, int? holderPid, string advice = FolderLockedException.DefaultAdvice)
    : Exception($"{directory} is in use by another bomrl process{(holderPid is int pid ? $" (PID {pid})" : string.Empty)}; {advice}")
{
    /// <summary>What a writer refused with an --out is told to do.</summary>
    public const string DefaultAdvice = "wait for it to finish or choose another --out";

    /// <summary>The holder's process id, when it could be read.</summary>
    public int? HolderPid { get; } = holderPid;
}

/// <summary>A folder cannot be written: "cannot write to DIR: read-only file system" (bad input, exit 2).</summary>
public sealed class FolderNotWritableException(string directory, string reason, Exception? cause = null)
    : IOException($"cannot write to {directory}: {reason}", cause)
{
    /// <summary>The folder.</summary>
    public string Directory { get; } = directory;
}
