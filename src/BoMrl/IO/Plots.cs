using ScottPlot;

namespace BoMrl.IO;

/// <summary>A named curve y(x) with optional symmetric error bars, for <see cref="Plots.Lines"/>.</summary>
public sealed record Series(string Label, double[] X, double[] Y, double[]? Error = null);

/// <summary>A labelled bar for <see cref="Plots.Bars"/>.</summary>
public sealed record Bar(string Label, double Value);

/// <summary>
/// The project's PNG figures (ScottPlot), written atomically so a killed run never leaves a truncated image.
/// </summary>
public static class Plots
{
    private const int Width = 800;
    private const int Height = 560;

    /// <summary>Line plot of several series (markers at the points, error bars where given).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        double? horizontalLine = null, string? horizontalLabel = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plt = new Plot();
        // One palette colour per series (an error bar would otherwise take the next colour and the palette repeat at 5 series).
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            Series s = series[i];
            if (s.X.Length != s.Y.Length || (s.Error is not null && s.Error.Length != s.Y.Length))
            {
                throw new ArgumentException($"series '{s.Label}': x, y and error lengths differ", nameof(series));
            }

            var scatter = plt.Add.Scatter(s.X, s.Y, palette.GetColor(i));
            scatter.LegendText = s.Label;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            if (s.Error is not null)
            {
                var eb = plt.Add.ErrorBar(s.X, s.Y, s.Error);
                eb.Color = scatter.Color;
            }
        }

        if (horizontalLine is double h)
        {
            var line = plt.Add.HorizontalLine(h);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = horizontalLabel ?? string.Empty;
        }

        // Adaptation steps and iterations are whole numbers: label whole numbers only (no 0.5 steps).
        if (series.Count > 0 && series.All(s => s.X.All(x => x == Math.Floor(x))))
        {
            double span = series.Max(s => s.X.Length == 0 ? 0 : s.X.Max()) - series.Min(s => s.X.Length == 0 ? 0 : s.X.Min());
            plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, Math.Ceiling(span / 10)));
        }

        Decorate(plt, title, xLabel, yLabel);
        Save(plt, path);
    }

    /// <summary>Bar chart with labelled bars and an optional dashed reference line (e.g. a theoretical bound).</summary>
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<Bar> bars,
        double? referenceLine = null, string? referenceLabel = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var plt = new Plot();
        double[] values = bars.Select(b => b.Value).ToArray();
        plt.Add.Bars(values);
        Tick[] ticks = bars.Select((b, i) => new Tick(i, b.Label)).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plt.Axes.Margins(bottom: 0);
        if (referenceLine is double r)
        {
            var line = plt.Add.HorizontalLine(r);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 2;
            line.Color = Colors.Red;
            line.LegendText = referenceLabel ?? string.Empty;
        }

        Decorate(plt, title, string.Empty, yLabel);
        Save(plt, path);
    }

    private static void Decorate(Plot plt, string title, string xLabel, string yLabel)
    {
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.ShowLegend(Alignment.LowerRight);
    }

    private static void Save(Plot plt, string path)
    {
        byte[] png = plt.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
