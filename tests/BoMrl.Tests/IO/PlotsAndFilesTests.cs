using BoMrl.IO;

namespace BoMrl.Tests.IO;

public class PlotsAndFilesTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Line_and_bar_plots_write_valid_png_files_and_no_temporaries()
    {
        string dir = Directory.CreateTempSubdirectory("bomrl-plots").FullName;
        try
        {
            string lines = Path.Combine(dir, "lines.png");
            Figures.Lines(lines, "t", "x", "y",
                [new Series("a", [0, 1, 2], [1, 2, 3], [0.1, 0.1, 0.2]), new Series("b", [0, 1, 2], [3, 2, 1])], 1.5, "ref");
            string bars = Path.Combine(dir, "bars.png");
            Figures.Bars(bars, "t", "y", [new Bar("one", 1), new Bar("two", 2)], 1.5, "bound");
            foreach (string f in new[] { lines, bars })
            {
                byte[] head = File.ReadAllBytes(f)[..8];
                Assert.Equal(PngSignature, head);
            }

            Assert.Equal(2, Directory.GetFiles(dir).Length);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_reference_far_above_the_bars_is_not_drawn_and_training_iterations_count_from_0()
    {
        Bar[] gaps = [new Bar("no adaptation", 0.29), new Bar("one-time Alg", 0.27)];
        Assert.True(Figures.DrawsReference(0.5, gaps));
        Assert.False(Figures.DrawsReference(5.4e3, gaps)); // the Frozen Lake bound: off scale, so no legend entry for it
        Assert.False(Figures.DrawsReference(double.PositiveInfinity, gaps));

        var row = new BoMrl.Runs.MetricsRow(0, -1.5, -1.25, 0.01, true, 1e-7, false, 0.1, 0.2, 0.3, 0.4, 1.1, 0.01, 0.25);
        IReadOnlyList<Series> s = BoMrl.Runs.RunFolder.TrainingSeries([row, row with { Iteration = 1 }]);
        Assert.All(s, c => Assert.Equal([0.0, 1.0], c.X)); // as metrics.csv and the resume messages count
    }

    [Fact]
    public void Atomic_write_replaces_the_whole_file()
    {
        string dir = Directory.CreateTempSubdirectory("bomrl-atomic").FullName;
        try
        {
            string f = Path.Combine(dir, "x.json");
            AtomicFile.WriteAllText(f, new string('a', 1000));
            AtomicFile.WriteAllText(f, "short");
            Assert.Equal("short", File.ReadAllText(f));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Mismatched_series_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() =>
            Figures.Lines(Path.Combine(Path.GetTempPath(), "never.png"), "t", "x", "y", [new Series("a", [0, 1], [1])]));
    }
}
