using BoMrl.Configuration;
using BoMrl.IO;
using BoMrl.Meta;
using BoMrl.Runs;

namespace BoMrl.Cli;

/// <summary>Helpers the train/test/compare verbs share: learner construction and turning library errors into usage errors.</summary>
internal static class RunSupport
{
    /// <summary>
    /// Builds the meta-learner of a resolved config through the context's factory (tests) or the library's
    /// <see cref="MetaLearners.Create"/> with the config's seed; config problems become usage errors.
    /// </summary>
    public static IMetaLearner CreateLearner(CliContext ctx, TrainConfig config)
    {
        try
        {
            return ctx.Learners is { } factory ? factory(config) : MetaLearners.Create(config, config.Seed);
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Loads a config file, mapping every config problem to a one-line usage error.</summary>
    public static TrainConfig LoadConfig(string path)
    {
        try
        {
            return ConfigLoader.Load(path);
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// Reads a run folder's config.json and latest checkpoint (or the one kept after <paramref name="iteration"/>
    /// iterations); usage errors when either is missing or broken, naming the kept iterations when N is not kept.
    /// </summary>
    public static (TrainConfig Config, Checkpoint Checkpoint) ReadRun(RunFolder folder, string option, int? iteration = null)
    {
        if (!Directory.Exists(folder.Path))
        {
            throw new UsageException($"{option}: no such folder {folder.Path}");
        }

        TrainConfig config;
        try
        {
            config = folder.ReadConfig();
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }

        Checkpoint? checkpoint;
        try
        {
            checkpoint = folder.ReadCheckpoint();
            if (iteration is int n && checkpoint?.CompletedIterations != n)
            {
                checkpoint = folder.ReadCheckpoint(n) ?? throw new UsageException(
                    $"--iteration {n}: no checkpoint kept after {n} meta-iterations; kept: " +
                    string.Join(", ", folder.KeptIterations().Append(checkpoint?.CompletedIterations ?? -1).Where(k => k >= 0).Distinct().Order()));
            }
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(OneLine(e.Message));
        }

        return (config, checkpoint ?? throw new UsageException($"{option}: no checkpoint in {folder.CheckpointDirectory}"));
    }

    /// <summary>
    /// Restores <paramref name="learner"/> from <paramref name="checkpoint"/>; a checkpoint of another algorithm or of
    /// another φ shape than the config builds is a usage error naming both.
    /// </summary>
    public static void SetState(IMetaLearner learner, Checkpoint checkpoint, RunFolder folder)
    {
        if (learner.Algorithm != checkpoint.Algorithm)
        {
            throw new UsageException($"{folder.CheckpointPath}: the checkpoint is of '{checkpoint.Algorithm}' but config.json builds '{learner.Algorithm}'");
        }

        int expected = learner.GetState().Phi.Length;
        if (checkpoint.Phi.Length != expected)
        {
            throw new UsageException(
                $"{folder.CheckpointPath}: field 'phi' has {checkpoint.Phi.Length} values but the config's policy has {expected} parameters");
        }

        try
        {
            learner.SetState(checkpoint.ToState());
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{folder.CheckpointPath}: {OneLine(e.Message)}");
        }
    }

    /// <summary>Runs a file-system action, turning permission and I/O failures into a usage error naming the path.</summary>
    public static void Writing(string path, Action write)
    {
        try
        {
            write();
        }
        catch (FolderNotWritableException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write to {path}: {FileSystemErrors.Describe(e)}");
        }
    }

    /// <summary>A path as a shell word the user can paste: unchanged when plain, else in single quotes ("'my runs/a'").</summary>
    public static string ShellQuote(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Length > 0 && path.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:,@%=".Contains(c))
            ? path
            : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The first line of a message.</summary>
    public static string OneLine(string message)
    {
        int i = message.IndexOfAny(['\r', '\n']);
        return i < 0 ? message : message[..i];
    }
}
