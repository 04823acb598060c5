namespace BoMrl.IO;

/// <summary>
/// File-system failures in the user's words: "read-only file system", "permission denied", "no space left on device"
/// instead of .NET's messages with the path quoted again; used by every one-line report of a folder that cannot be
/// written or read.
/// </summary>
public static class FileSystemErrors
{
    // Linux errno values as .NET reports them in IOException.HResult on Unix.
    private const int NoSpace = 28;
    private const int ReadOnly = 30;
    private const int NotADirectory = 20;
    private const int IsADirectory = 21;
    private const int TooManyLinks = 40;
    private const int QuotaExceeded = 122;
    private const int WouldBlock = 11;
    private const int WouldBlockBsd = 35;
    private const int SharingViolation = 32;
    private const int LockViolation = 33;

    /// <summary>Whether <paramref name="e"/> is a lock held by another open file (flock EWOULDBLOCK, a Windows sharing violation).</summary>
    public static bool IsContention(IOException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.GetType() == typeof(IOException) && (OperatingSystem.IsWindows()
            ? (e.HResult & 0xFFFF) is SharingViolation or LockViolation
            : e.HResult is WouldBlock or WouldBlockBsd);
    }

    /// <summary>Whether <paramref name="e"/> says the device is full (or the quota spent).</summary>
    public static bool IsDiskFull(Exception e) => e is IOException io && (OperatingSystem.IsWindows()
        ? (io.HResult & 0xFFFF) is 0x70 or 0x27
        : io.HResult is NoSpace or QuotaExceeded);

    /// <summary>What went wrong, in a few words without the path: "read-only file system", "permission denied", ...</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            UnauthorizedAccessException => "permission denied",
            PathTooLongException => "the path is too long",
            DirectoryNotFoundException => "a folder on the path does not exist",
            FileNotFoundException => "no such file",
            IOException { HResult: ReadOnly } => "read-only file system",
            IOException { HResult: NotADirectory } => "a part of the path is a file, not a folder",
            IOException { HResult: IsADirectory } => "it is a folder, not a file",
            IOException { HResult: TooManyLinks } => "too many levels of symbolic links (a symlink loop?)",
            IOException io when IsDiskFull(io) => "no space left on device",
            IOException io when IsContention(io) => "in use by another process",
            _ => Plain(e.Message),
        };
    }

    /// <summary>A .NET message without its trailing " : 'path'" and without line breaks.</summary>
    private static string Plain(string message)
    {
        string m = message.ReplaceLineEndings(" ").Trim();
        int quoted = m.IndexOf(" : '", StringComparison.Ordinal);
        m = quoted > 0 ? m[..quoted] : m;
        return m.Length > 0 && char.IsUpper(m[0]) && (m.Length == 1 || !char.IsUpper(m[1])) ? char.ToLowerInvariant(m[0]) + m[1..].TrimEnd('.') : m.TrimEnd('.');
    }
}
