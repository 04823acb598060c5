using BoMrl.IO;
using BoMrl.Meta;

namespace BoMrl.Runs;

/// <summary>
/// The content of a run's test.json: the meta-test curve (docs/design.md §5) — mean return and its standard error over
/// <see cref="Tasks"/> fresh test tasks after 0..K adaptation steps — and what produced it.
/// </summary>
/// <param name="Algorithm">The learner's algorithm name (bomrl-kl1, maml-trpo, ...).</param>
/// <param name="ReturnsByStep">Mean return after k = 0..K adaptation steps.</param>
/// <param name="StderrByStep">Standard error of the mean over test tasks, per step; null with one task (undefined).</param>
/// <param name="Iterations">Meta-iterations the tested meta-policy was trained for.</param>
/// <param name="Tasks">Test tasks M.</param>
/// <param name="Seed">Seed of the test tasks and episodes.</param>
public sealed record MetaTestReport(string Algorithm, double[] ReturnsByStep, double[]? StderrByStep, int Iterations, int Tasks, long Seed)
{
    /// <summary>A report from a learner's meta-test result.</summary>
    public static MetaTestReport From(MetaTestResult r, int iterations, int tasks, long seed)
    {
        ArgumentNullException.ThrowIfNull(r);
        // One task has no spread: its standard error is undefined, not 0.
        return new MetaTestReport(r.Algorithm, r.ReturnsByStep, tasks > 1 ? r.StderrByStep : null, iterations, tasks, seed);
    }

    /// <summary>Writes the report as JSON to <paramref name="path"/> atomically (test.json's format).</summary>
    public void Write(string path) =>
        AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(this, RunFilesJson.Default.MetaTestReport) + "\n");

    /// <summary>Reads a report written by <see cref="Write"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static MetaTestReport Read(string path)
    {
        try
        {
            MetaTestReport r = System.Text.Json.JsonSerializer.Deserialize(File.ReadAllText(path), RunFilesJson.Default.MetaTestReport)
                ?? throw new InvalidDataException($"empty {Path.GetFileName(path)}");
            if (r.Algorithm is null || r.ReturnsByStep is null || (r.StderrByStep is not null && r.ReturnsByStep.Length != r.StderrByStep.Length))
            {
                throw new InvalidDataException($"{path} is incomplete");
            }

            return r;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid: {e.Message}", e);
        }
    }

    /// <summary>The curve as a plot series labelled <paramref name="label"/>.</summary>
    public Series ToSeries(string label)
    {
        double[] steps = new double[ReturnsByStep.Length];
        for (int k = 0; k < steps.Length; k++)
        {
            steps[k] = k;
        }

        return new Series(label, steps, ReturnsByStep, StderrByStep);
    }

    /// <summary>Writes a PNG of return vs adaptation step for one or several reports (error bars: standard errors, where defined).</summary>
    public static void Plot(string path, string title, IReadOnlyList<Series> series) =>
        Figures.Lines(path, title, "adaptation steps", "mean return (± s.e.)", series);
}
