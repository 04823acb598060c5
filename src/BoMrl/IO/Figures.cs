namespace BoMrl.IO;

/// <summary>A named curve y(x) with optional symmetric error bars, for <see cref="Figures.Lines"/>.</summary>
public sealed record Series(string Label, double[] X, double[] Y, double[]? Error = null);

/// <summary>A labelled bar for <see cref="Figures.Bars"/>.</summary>
public sealed record Bar(string Label, double Value);

/// <summary>
/// Where runs, studies and reports send their PNG figures. The library has no plotting dependency: with no
/// <see cref="Writer"/> set (the default), <see cref="Lines"/> and <see cref="Bars"/> check their arguments and write
/// nothing, so everything except the PNGs is still written. A library user who wants the PNGs references the
/// BoMrl.Plots package and sets <c>Figures.Writer = new ScottPlotFigureWriter();</c> once at startup (the bomrl CLI does).
/// </summary>
public static class Figures
{
    /// <summary>How far above the tallest bar a reference line is still drawn: beyond it the bars would shrink to slivers, so a note gives its value instead.</summary>
    public const double ReferenceScale = 3;

    private static volatile IFigureWriter? s_writer;

    /// <summary>The writer that draws the figures, process-wide; null (the default) writes no PNGs.</summary>
    public static IFigureWriter? Writer
    {
        get => s_writer;
        set => s_writer = value;
    }

    /// <summary>Line plot of several series through <see cref="Writer"/>; nothing is written when none is set.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        double? horizontalLine = null, string? horizontalLabel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfLengthsDiffer(series);
        s_writer?.Lines(path, title, xLabel, yLabel, series, horizontalLine, horizontalLabel);
    }

    /// <summary>Bar chart with an optional reference line through <see cref="Writer"/>; nothing is written when none is set.</summary>
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<Bar> bars,
        double? referenceLine = null, string? referenceLabel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(bars);
        s_writer?.Bars(path, title, yLabel, bars, referenceLine, referenceLabel);
    }

    /// <summary>Whether a bar chart draws <paramref name="reference"/> as a line (within <see cref="ReferenceScale"/> of the tallest bar) or only notes it.</summary>
    public static bool DrawsReference(double reference, IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        double top = bars.Count == 0 ? 0 : bars.Max(b => Math.Abs(b.Value));
        return double.IsFinite(reference) && Math.Abs(reference) <= ReferenceScale * Math.Max(top, double.Epsilon);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a series' x, y and error lengths differ (with or without a writer).</summary>
    public static void ThrowIfLengthsDiffer(IReadOnlyList<Series> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        foreach (Series s in series)
        {
            if (s.X.Length != s.Y.Length || (s.Error is not null && s.Error.Length != s.Y.Length))
            {
                throw new ArgumentException($"series '{s.Label}': x, y and error lengths differ", nameof(series));
            }
        }
    }
}
