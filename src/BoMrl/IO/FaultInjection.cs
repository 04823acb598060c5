namespace BoMrl.IO;

/// <summary>
/// A test seam for file-system failures that cannot be provoked on every machine (a full disk, a read-only mount as
/// root): while a hook is installed on the current asynchronous flow, <see cref="AtomicFile"/> and <see cref="RunLock"/>
/// ask it before touching a path and throw what it returns. Other flows (parallel tests, other threads) are unaffected.
/// </summary>
internal static class FaultInjection
{
    private static readonly AsyncLocal<Func<string, Exception?>?> s_hook = new();

    /// <summary>Installs <paramref name="hook"/> (path → exception to throw, or null) until the result is disposed.</summary>
    public static IDisposable Install(Func<string, Exception?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        Func<string, Exception?>? previous = s_hook.Value;
        s_hook.Value = hook;
        return new Restore(previous);
    }

    /// <summary>Throws the hook's exception for <paramref name="path"/>, if any.</summary>
    public static void Check(string path)
    {
        if (s_hook.Value?.Invoke(path) is { } e)
        {
            throw e;
        }
    }

    private sealed class Restore(Func<string, Exception?>? previous) : IDisposable
    {
        public void Dispose() => s_hook.Value = previous;
    }
}
