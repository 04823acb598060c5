using System.Globalization;
using System.Text.Json;
using BoMrl.Configuration;
using BoMrl.IO;

namespace BoMrl.Runs;

/// <summary>
/// A training run's folder (STYLE "a run folder is the unit of work"): config.json (the full resolved config),
/// metrics.csv, checkpoints/latest.json, test.json and PNG plots. Every file is written atomically
/// (<see cref="AtomicFile"/>), and the checkpoint is written before metrics.csv, so a kill at any moment leaves
/// complete files whose metrics.csv is at most one row behind the checkpoint; resuming rewrites it from the checkpoint.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Wraps the folder at <paramref name="path"/> (not created here).</summary>
    public RunFolder(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Path { get; }

    /// <summary>config.json: the resolved config of the run.</summary>
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    /// <summary>metrics.csv: one row per completed meta-iteration.</summary>
    public string MetricsPath => System.IO.Path.Combine(Path, "metrics.csv");

    /// <summary>checkpoints/: the latest checkpoint.</summary>
    public string CheckpointDirectory => System.IO.Path.Combine(Path, "checkpoints");

    /// <summary>checkpoints/latest.json.</summary>
    public string CheckpointPath => System.IO.Path.Combine(CheckpointDirectory, "latest.json");

    /// <summary>checkpoints/iteration-NNNN.json: the checkpoint kept after <paramref name="iteration"/> meta-iterations.</summary>
    public string KeptCheckpointPath(int iteration) =>
        System.IO.Path.Combine(CheckpointDirectory, string.Create(CultureInfo.InvariantCulture, $"iteration-{iteration:D4}.json"));

    /// <summary>training.png: pre- and post-adaptation return vs meta-iteration.</summary>
    public string TrainingPlotPath => System.IO.Path.Combine(Path, "training.png");

    /// <summary>test.json: the meta-test curve of <c>bomrl test</c>.</summary>
    public string TestReportPath => System.IO.Path.Combine(Path, "test.json");

    /// <summary>test.png: return vs adaptation step.</summary>
    public string TestPlotPath => System.IO.Path.Combine(Path, "test.png");

    /// <summary>Whether the folder holds a checkpoint.</summary>
    public bool HasCheckpoint => File.Exists(CheckpointPath);

    /// <summary>Creates the folder and checkpoints/ (throws IOException / UnauthorizedAccessException when impossible).</summary>
    public void Create() => Directory.CreateDirectory(CheckpointDirectory);

    /// <summary>Deletes temporary files a killed atomic write may have left behind.</summary>
    public void RemoveStaleTemporaries()
    {
        foreach (string dir in new[] { Path, CheckpointDirectory })
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string f in Directory.EnumerateFiles(dir, ".*.tmp"))
            {
                File.Delete(f);
            }
        }
    }

    /// <summary>Writes config.json.</summary>
    public void WriteConfig(TrainConfig config) => AtomicFile.WriteAllText(ConfigPath, ConfigLoader.ToJson(config));

    /// <summary>Reads and validates config.json.</summary>
    public TrainConfig ReadConfig()
    {
        if (!File.Exists(ConfigPath))
        {
            throw new ConfigException($"{Path} has no config.json (not a run folder)");
        }

        return ConfigLoader.Load(ConfigPath);
    }

    /// <summary>Writes checkpoints/latest.json atomically.</summary>
    public void WriteCheckpoint(Checkpoint checkpoint) =>
        AtomicFile.WriteAllText(CheckpointPath, JsonSerializer.Serialize(checkpoint, RunFilesJson.Default.Checkpoint));

    /// <summary>Keeps <paramref name="checkpoint"/> as checkpoints/iteration-NNNN.json besides latest.json.</summary>
    public void KeepCheckpoint(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        AtomicFile.WriteAllText(KeptCheckpointPath(checkpoint.CompletedIterations),
            JsonSerializer.Serialize(checkpoint, RunFilesJson.Default.Checkpoint));
    }

    /// <summary>The iteration counts of the kept checkpoints (checkpoints/iteration-NNNN.json), ascending.</summary>
    public IReadOnlyList<int> KeptIterations() => !Directory.Exists(CheckpointDirectory) ? []
        : Directory.EnumerateFiles(CheckpointDirectory, "iteration-*.json")
            .Select(f => System.IO.Path.GetFileNameWithoutExtension(f)["iteration-".Length..])
            .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k : -1)
            .Where(k => k >= 0).Order().ToArray();

    /// <summary>
    /// Reads checkpoints/latest.json, or with <paramref name="iteration"/> the checkpoint kept after that many
    /// iterations; null when there is none. Throws <see cref="InvalidDataException"/> naming the file and the field when
    /// it is unreadable, incomplete or holds a non-finite φ or optimiser value.
    /// </summary>
    public Checkpoint? ReadCheckpoint(int? iteration = null)
    {
        string path = iteration is int k ? KeptCheckpointPath(k) : CheckpointPath;
        if (!File.Exists(path))
        {
            return null;
        }

        Checkpoint c;
        try
        {
            string text = File.ReadAllText(path);
            if (text.Trim().Length == 0)
            {
                // Files are written atomically, so an empty one was truncated by something else (a full disk, a copy).
                throw new InvalidDataException($"{path} is empty ({new FileInfo(path).Length} bytes), not a checkpoint; {Recovery(iteration)}");
            }

            c = JsonSerializer.Deserialize(CheckpointLayout.Upgrade(text), RunFilesJson.Default.Checkpoint)
                ?? throw new InvalidDataException($"{path} is empty (null), not a checkpoint");
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
            string what = e.Path is null or "$" ? $"not valid JSON{where}" : $"field '{e.Path.TrimStart('$', '.')}' has a value of the wrong type{where}";
            throw new InvalidDataException($"{path} is not a valid checkpoint: {what}; {Recovery(iteration)}", e);
        }

        CheckpointCheck.Validate(c, path);
        return c;
    }

    /// <summary>What to do about a broken checkpoint file, naming the kept ones a user may copy over latest.json.</summary>
    private string Recovery(int? iteration)
    {
        IReadOnlyList<int> kept = KeptIterations();
        return iteration is null && kept.Count > 0
            ? $"copy a kept one (checkpoints/iteration-NNNN.json; kept: {string.Join(", ", kept)}) over it to go on from there, or start over with --force"
            : iteration is null ? "start over with --force" : "test another --iteration";
    }

    /// <summary>Writes training.png (through <see cref="Figures.Writer"/>; none set, no PNG): pre- and post-adaptation return of every meta-iteration so far.</summary>
    public void WriteTrainingPlot(IReadOnlyList<MetricsRow> rows) =>
        Figures.Lines(TrainingPlotPath, $"Meta-training: {System.IO.Path.GetFileName(Path)}", "meta-iteration", "mean return", TrainingSeries(rows));

    /// <summary>The curves of training.png: pre- and post-adaptation return against the meta-iteration, counted from 0 as in metrics.csv.</summary>
    public static IReadOnlyList<Series> TrainingSeries(IReadOnlyList<MetricsRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        double[] x = rows.Select(r => (double)r.Iteration).ToArray();
        return [new Series("pre-adaptation", x, rows.Select(r => r.PreReturn).ToArray()),
                new Series("post-adaptation", x, rows.Select(r => r.PostReturn).ToArray())];
    }

    /// <summary>Rewrites metrics.csv atomically from <paramref name="rows"/>.</summary>
    public void WriteMetrics(IEnumerable<MetricsRow> rows) => AtomicFile.WriteAllText(MetricsPath, MetricsRow.ToCsv(rows));

    /// <summary>Writes test.json.</summary>
    public void WriteTestReport(MetaTestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        report.Write(TestReportPath);
    }

    /// <summary>Reads test.json; throws <see cref="FileNotFoundException"/> / <see cref="InvalidDataException"/>.</summary>
    public MetaTestReport ReadTestReport() => MetaTestReport.Read(TestReportPath);
}
