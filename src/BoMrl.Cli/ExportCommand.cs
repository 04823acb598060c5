using System.CommandLine;
using BoMrl.Configuration;
using BoMrl.Export;
using BoMrl.IO;
using BoMrl.Policies;
using BoMrl.Runs;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl export --run DIR [--iteration N] [--adapt-to TASK-SPEC [--seed s] [--adapt-steps K]] --format onnx|json --out F
/// [--precision float64|float32]</c>: writes the meta-policy φ of a trained run (its latest checkpoint, or the one kept
/// after N iterations), or with --adapt-to its parameters θ′ after K adaptation steps on that task
/// (<see cref="ExportAdaptation"/>), as an ONNX model or as the JSON layout of docs/library.md; F is written atomically
/// (a temporary sibling renamed over it). The run is only read, under a reader's shared hold, so no train can change it
/// meanwhile.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext ctx)
    {
        var run = new Option<string>("--run") { Description = "Run folder written by bomrl train", Required = true };
        var iteration = new Option<int?>("--iteration") { Description = "Export the checkpoint kept after N meta-iterations (default: the latest)" };
        var format = new Option<string>("--format") { Description = "onnx or json (layouts in docs/library.md)", Required = true };
        var output = new Option<string>("--out") { Description = "File to write (replaced atomically when it exists)", Required = true };
        var precision = new Option<string?>("--precision") { Description = "ONNX tensor type: float64 (default) or float32" };
        var adaptTo = new Option<string?>("--adapt-to") { Description = "Export the policy adapted to this task: its numbers, comma-separated (navigation2d: goal x,y; *-vel: goal velocity; *-dir: -1 or 1)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the adaptation's episodes (with --adapt-to; default: the run's seed)" };
        var adaptSteps = new Option<int?>("--adapt-steps") { Description = "Adaptation steps K (with --adapt-to; default 1)" };
        var cmd = new Command("export", "Write a trained run's meta-policy, or its adaptation to one task, as an ONNX model or a JSON file.")
        {
            run, iteration, format, output, precision, adaptTo, seed, adaptSteps,
        };
        cmd.SetAction(p => Run(ctx, p.GetValue(run)!, p.GetValue(iteration), p.GetValue(format)!, p.GetValue(output)!, p.GetValue(precision),
            ExportAdaptation.FromOptions(p.GetValue(adaptTo), p.GetValue(seed), p.GetValue(adaptSteps))));
        return cmd;
    }

    private static int Run(CliContext ctx, string runPath, int? iterationArg, string format, string output, string? precisionArg, ExportAdaptation? adapt)
    {
        if (format is not ("onnx" or "json"))
        {
            throw new UsageException($"--format must be onnx or json (got '{format}')");
        }

        ExportPrecision precision = precisionArg switch
        {
            null or "float64" => ExportPrecision.Float64,
            "float32" when format == "onnx" => ExportPrecision.Float32,
            "float32" => throw new UsageException("--precision applies to --format onnx only (JSON numbers are float64)"),
            _ => throw new UsageException($"--precision must be float64 or float32 (got '{precisionArg}')"),
        };
        if (iterationArg is int it && it < 0)
        {
            throw new UsageException($"--iteration must be 0 or positive (got {it})");
        }

        string target = Path.GetFullPath(output);
        if (Directory.Exists(target))
        {
            throw new UsageException($"--out: {target} is a folder; give a file to write");
        }

        string parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            throw new UsageException($"--out: no such folder {parent}; create it first");
        }

        var folder = new RunFolder(runPath);
        if (!Directory.Exists(folder.Path))
        {
            throw new UsageException(File.Exists(folder.Path) ? $"--run: {folder.Path} is a file, not a run folder" : $"--run: no such folder {folder.Path}");
        }

        if (RunClaim.Inspect(folder.Path) is { Kind: not RunKinds.Train } other)
        {
            throw new UsageException($"--run: {folder.Path} holds a {other.Kind} run, not a train run");
        }

        using RunLock? reading = RunLock.TryShared(folder.Path, "export it when that has finished");
        (TrainConfig config, Checkpoint checkpoint) = RunSupport.ReadRun(folder, "--run", iterationArg);
        adapt?.CheckFamily(config);
        GaussianMlpPolicy policy;
        try
        {
            policy = MetaLearners.CreatePolicy(config);
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }

        // With --adapt-to the learner checks the checkpoint (algorithm, φ's shape) as it restores it.
        double[] parameters = adapt?.Adapt(ctx, config, checkpoint, folder) ?? checkpoint.Phi;
        if (parameters.Length != policy.ParameterCount)
        {
            throw new UsageException(
                $"{folder.CheckpointPath}: field 'phi' has {checkpoint.Phi.Length} values but the config's policy has {policy.ParameterCount} parameters");
        }

        RunSupport.Writing(target, () =>
        {
            if (format == "onnx")
            {
                AtomicFile.WriteAllBytes(target, PolicyExport.ToOnnx(policy, parameters, precision));
            }
            else
            {
                AtomicFile.WriteAllText(target, PolicyExport.ToJson(policy, parameters));
            }
        });
        string what = format == "onnx" ? $"ONNX model ({(precision == ExportPrecision.Float64 ? "float64" : "float32")}, opset {PolicyExport.OnnxOpset})" : "JSON policy";
        string adapted = adapt is null ? string.Empty : $", {adapt.Describe(config.Seed)}";
        ctx.Out.WriteLine($"wrote {target}: {what} of {checkpoint.Algorithm} after {checkpoint.CompletedIterations} meta-iterations{adapted} " +
            $"({policy.ObservationSize} observations → {policy.ActionSize} actions, {policy.ParameterCount} parameters)");
        return 0;
    }
}
