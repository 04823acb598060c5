using BoMrl.IO;

namespace BoMrl.Tests.IO;

/// <summary>The library has no plotting dependency: without a writer it writes no PNGs and still checks its arguments.</summary>
[Collection(FigureWriterCollection.Name)]
public class FiguresWithoutWriterTests
{
    [Fact]
    public void The_library_assembly_references_no_plotting_assembly()
    {
        string[] referenced = typeof(Figures).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToArray();
        Assert.DoesNotContain(referenced, n => n.StartsWith("ScottPlot", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(referenced, n => n.StartsWith("SkiaSharp", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("ScottPlot", typeof(BoMrl.Plots.ScottPlotFigureWriter).Assembly.GetReferencedAssemblies().Select(a => a.Name));
    }

    [Fact]
    public void With_no_writer_figures_write_nothing_and_throw_nothing()
    {
        IFigureWriter? saved = Figures.Writer;
        string dir = Directory.CreateTempSubdirectory("bomrl-nofigures").FullName;
        try
        {
            Figures.Writer = null;
            Figures.Lines(Path.Combine(dir, "lines.png"), "t", "x", "y", [new Series("a", [0, 1], [1, 2], [0.1, 0.1])], 1.5, "ref");
            Figures.Bars(Path.Combine(dir, "bars.png"), "t", "y", [new Bar("one", 1)], 1.5, "bound");
            Assert.Empty(Directory.GetFileSystemEntries(dir));
            // Bad input is still bad input without a writer.
            Assert.Throws<ArgumentException>(() =>
                Figures.Lines(Path.Combine(dir, "never.png"), "t", "x", "y", [new Series("a", [0, 1], [1])]));
        }
        finally
        {
            Figures.Writer = saved;
            Directory.Delete(dir, true);
        }
    }
}
