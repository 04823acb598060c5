using BoMrl.IO;
using ScottPlot;
using Bar = BoMrl.IO.Bar;

namespace BoMrl.Plots;

/// <summary>
/// The project's PNG figures drawn with ScottPlot, written atomically (<see cref="AtomicFile"/>) so a killed run never
/// leaves a truncated image. Set it once with <c>Figures.Writer = new ScottPlotFigureWriter();</c>.
/// </summary>
public sealed class ScottPlotFigureWriter : IFigureWriter
{
    private const int Width = 1000; // the legend sits right of the data area
    private const int Height = 560;

    /// <summary>Line plot of several series (markers at the points, error bars where given).</summary>
    public void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        double? horizontalLine = null, string? horizontalLabel = null)
    {
        Figures.ThrowIfLengthsDiffer(series);
        var plt = new Plot();
        // One palette colour per series (an error bar would otherwise take the next colour and the palette repeat at 5 series).
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            Series s = series[i];
            var scatter = plt.Add.Scatter(s.X, s.Y, palette.GetColor(i));
            scatter.LegendText = s.Label;
            Style(scatter, i);
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
            // An axis line does not widen the autoscaled limits: widen them so that what has a legend entry is drawn.
            plt.Axes.AutoScale();
            AxisLimits l = plt.Axes.GetLimits();
            plt.Axes.SetLimitsY(Math.Min(l.Bottom, h - (0.05 * Math.Abs(h))), Math.Max(l.Top, h + (0.05 * Math.Abs(h))));
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

    /// <summary>
    /// Bar chart with labelled bars and an optional dashed reference line (e.g. a theoretical bound): drawn, with its
    /// legend entry, when on the bars' scale (<see cref="Figures.DrawsReference"/>); else noted in the plot as off scale.
    /// </summary>
    public void Bars(string path, string title, string yLabel, IReadOnlyList<Bar> bars,
        double? referenceLine = null, string? referenceLabel = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var plt = new Plot();
        double[] values = bars.Select(b => b.Value).ToArray();
        plt.Add.Bars(values);
        Tick[] ticks = bars.Select((b, i) => new Tick(i, b.Label)).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plt.Axes.Margins(bottom: 0);
        bool legend = false;
        if (referenceLine is double r && Figures.DrawsReference(r, bars))
        {
            var line = plt.Add.HorizontalLine(r);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 2;
            line.Color = Colors.Red;
            line.LegendText = referenceLabel ?? string.Empty;
            legend = line.LegendText.Length > 0;
            plt.Axes.AutoScale();
            plt.Axes.SetLimitsY(Math.Min(0, r), Math.Max(plt.Axes.GetLimits().Top, r * 1.08));
        }
        else if (referenceLine is double off)
        {
            var note = plt.Add.Annotation($"{referenceLabel ?? $"reference line at {off:G3}"}: off the bars' scale, not drawn", Alignment.UpperRight);
            note.LabelFontSize = 13;
        }

        Decorate(plt, title, string.Empty, yLabel, legend);
        Save(plt, path);
    }

    /// <summary>Line style of series <paramref name="i"/>: its own marker shape, line pattern and marker size, so equal curves stay visible.</summary>
    private static void Style(ScottPlot.Plottables.Scatter scatter, int i)
    {
        scatter.LineWidth = 2;
        scatter.MarkerShape = s_markers[i % s_markers.Length];
        scatter.LinePattern = s_patterns[i % s_patterns.Length];
        scatter.MarkerSize = Math.Max(5, 11 - (2 * (i % 4))); // a later, smaller marker leaves an earlier one's rim visible
    }

    private static readonly MarkerShape[] s_markers =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.FilledTriangleDown, MarkerShape.OpenSquare, MarkerShape.Cross,
    ];

    private static readonly LinePattern[] s_patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    /// <summary>Title, axis labels and the legend, outside the data area (right of it) so it never hides a curve.</summary>
    private static void Decorate(Plot plt, string title, string xLabel, string yLabel, bool legend = true)
    {
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        if (legend)
        {
            plt.ShowLegend(Edge.Right);
        }
        else
        {
            plt.HideLegend();
        }
    }

    private static void Save(Plot plt, string path)
    {
        byte[] png = plt.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
