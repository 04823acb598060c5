using System.Globalization;

namespace BoMrl.IO;

/// <summary>
/// An exclusive operating-system lock on a folder, held for the life of one writer: <c>DIR/.lock</c> opened with
/// <see cref="FileShare.None"/> (an advisory <c>flock</c> on Linux, so the kernel releases it when the process dies,
/// even after <c>kill -9</c>; a stale .lock file is harmless). The holder's process id is written to
/// <c>DIR/.lock.pid</c> so that a second writer can name it.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>Name of the lock file inside the folder.</summary>
    public const string FileName = ".lock";

    /// <summary>Name of the side file that holds the holder's process id.</summary>
    public const string PidFileName = ".lock.pid";

    private readonly FileStream _stream;
    private readonly string _pidPath;

    private RunLock(FileStream stream, string pidPath)
    {
        _stream = stream;
        _pidPath = pidPath;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and takes its lock; throws <see cref="FolderLockedException"/>
    /// (naming the holder's PID when known) when another writer holds it, IOException / UnauthorizedAccessException
    /// when the folder cannot be written.
    /// </summary>
    public static RunLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.GetFullPath(directory);
        Directory.CreateDirectory(dir);
        string lockPath = Path.Combine(dir, FileName);
        string pidPath = Path.Combine(dir, PidFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(lockPath))
        {
            throw new FolderLockedException(dir, HolderPid(pidPath));
        }

        try
        {
            AtomicFile.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new RunLock(stream, pidPath);
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

    /// <summary>Releases the lock (the pid file goes first, so it never names a process that no longer holds the lock).</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_pidPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The lock itself is released below; a leftover pid file only names a former holder.
        }

        _stream.Dispose();
    }
}

/// <summary>Another writer holds a folder's <see cref="RunLock"/>.</summary>
public sealed class FolderLockedException(string directory, int? holderPid)
    : Exception($"{directory} is in use by another bomrl process{(holderPid is int pid ? $" (PID {pid})" : string.Empty)}; wait for it to finish or choose another --out")
{
    /// <summary>The holder's process id, when it could be read.</summary>
    public int? HolderPid { get; } = holderPid;
}
