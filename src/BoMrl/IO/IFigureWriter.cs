namespace BoMrl.IO;

/// <summary>Draws the project's PNG figures; the library calls it through <see cref="Figures"/> and ships none.</summary>
public interface IFigureWriter
{
    /// <summary>Writes a line plot of several series (markers at the points, error bars where given) to <paramref name="path"/>.</summary>
    void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        double? horizontalLine = null, string? horizontalLabel = null);

    /// <summary>Writes a bar chart with an optional dashed reference line (drawn when <see cref="Figures.DrawsReference"/>) to <paramref name="path"/>.</summary>
    void Bars(string path, string title, string yLabel, IReadOnlyList<Bar> bars,
        double? referenceLine = null, string? referenceLabel = null);
}
