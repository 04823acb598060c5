using System.Runtime.CompilerServices;
using BoMrl.IO;
using BoMrl.Plots;

namespace BoMrl.Tests;

/// <summary>Sets the ScottPlot figure writer once for the test assembly, as the CLI's Main does, so tests that check PNGs find them.</summary>
internal static class FigureWriterSetup
{
    /// <summary>Runs before any test of this assembly.</summary>
    [ModuleInitializer]
    internal static void UseScottPlot() => Figures.Writer = new ScottPlotFigureWriter();
}

/// <summary>Tests that change the process-wide <see cref="Figures.Writer"/>: they run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FigureWriterCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Figures.Writer (process-wide)";
}
