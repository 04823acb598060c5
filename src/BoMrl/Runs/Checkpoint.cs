using System.Text.Json;
using System.Text.Json.Nodes;
using BoMrl.Meta;

namespace BoMrl.Runs;

/// <summary>
/// Everything needed to continue a run exactly after <see cref="CompletedIterations"/> meta-iterations: the learner's
/// state and the metrics rows so far (metrics.csv is rewritten from them on resume). IMetaLearner derives all
/// randomness of iteration k from (seed, k), so no generator state is stored.
/// </summary>
/// <param name="CompletedIterations">Meta-iterations done (the next one to run has this 0-based index).</param>
/// <param name="Algorithm">The learner's <see cref="IMetaLearner.Algorithm"/> (checked on resume).</param>
/// <param name="Phi">Meta-parameters φ.</param>
/// <param name="OptimizerState">Outer optimiser state (empty for TRPO) followed by the learner's own (<see cref="MetaLearnerState"/>).</param>
/// <param name="Metrics">Rows of metrics.csv, one per completed iteration.</param>
public sealed record Checkpoint(int CompletedIterations, string Algorithm, double[] Phi, double[] OptimizerState, MetricsRow[] Metrics)
{
    /// <summary>A copy of the learner state held.</summary>
    public MetaLearnerState ToState() => new((double[])Phi.Clone(), (double[])OptimizerState.Clone());
}

/// <summary>
/// Reads checkpoints of the layout before the learner's own state held everything beyond the optimiser's: those kept
/// BO-MRL's ℓ = log λ in a field of its own, "log_lambda" (null unless meta-learned), where it now ends optimizer_state.
/// </summary>
internal static class CheckpointLayout
{
    private static readonly JsonDocumentOptions Reading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonSerializerOptions Writing = new() { WriteIndented = true };

    /// <summary>
    /// The checkpoint's JSON in today's layout: a "log_lambda" number moved to the end of optimizer_state (its text kept,
    /// so the same bits), a null one dropped; any other text unchanged (its errors are the reader's to report).
    /// </summary>
    public static string Upgrade(string json)
    {
        if (!json.Contains("\"log_lambda\"", StringComparison.Ordinal))
        {
            return json;
        }

        try
        {
            if (JsonNode.Parse(json, documentOptions: Reading) is not JsonObject root || !root.TryGetPropertyValue("log_lambda", out JsonNode? logLambda))
            {
                return json;
            }

            root.Remove("log_lambda");
            if (logLambda is not null && root["optimizer_state"] is JsonArray state)
            {
                state.Add(logLambda);
            }

            return root.ToJsonString(Writing);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return json;
        }
    }
}

/// <summary>Checks a checkpoint read from disk field by field, so a corrupted file is refused with the field named.</summary>
internal static class CheckpointCheck
{
    /// <summary>Throws <see cref="InvalidDataException"/> "PATH: field 'phi[3]' is NaN" (or missing, inconsistent).</summary>
    public static void Validate(Checkpoint c, string path)
    {
        Require(c.Algorithm, "algorithm", path);
        Require(c.Phi, "phi", path);
        Require(c.OptimizerState, "optimizer_state", path);
        Require(c.Metrics, "metrics", path);
        if (c.Phi.Length == 0)
        {
            throw new InvalidDataException($"{path}: field 'phi' is empty");
        }

        Finite(c.Phi, "phi", path);
        Finite(c.OptimizerState, "optimizer_state", path);
        if (c.CompletedIterations < 0)
        {
            throw new InvalidDataException($"{path}: field 'completed_iterations' is negative ({c.CompletedIterations})");
        }

        if (c.Metrics.Length != c.CompletedIterations)
        {
            throw new InvalidDataException(
                $"{path}: field 'metrics' has {c.Metrics.Length} rows but 'completed_iterations' is {c.CompletedIterations}");
        }

        for (int i = 0; i < c.Metrics.Length; i++)
        {
            if (c.Metrics[i] is null || !double.IsFinite(c.Metrics[i].PreReturn) || !double.IsFinite(c.Metrics[i].PostReturn))
            {
                throw new InvalidDataException($"{path}: field 'metrics[{i}]' is missing or has a non-finite return");
            }
        }
    }

    private static void Require(object? value, string field, string path)
    {
        if (value is null)
        {
            throw new InvalidDataException($"{path}: field '{field}' is missing");
        }
    }

    private static void Finite(double[] values, string field, string path)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidDataException(
                    $"{path}: field '{field}[{i}]' is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}, not a finite number");
            }
        }
    }
}
