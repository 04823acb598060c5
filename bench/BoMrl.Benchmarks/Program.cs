using BenchmarkDotNet.Running;

namespace BoMrl.Benchmarks;

/// <summary>BenchmarkDotNet entry point: <c>dotnet run -c Release --project bench/BoMrl.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
