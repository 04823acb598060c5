using System.Globalization;
using System.Text;
using BoMrl.Meta;

namespace BoMrl.Runs;

/// <summary>
/// One line of a run's metrics.csv: the <see cref="IterationMetrics"/> of one meta-iteration plus its measured wall
/// time. <see cref="TimeTotal"/> is the wall-clock time of the whole <c>Iterate</c> call (so phases a learner does not
/// attribute still count); the four phase columns are the learner's own split (paper, Appendix E). The last three
/// columns: the meta-batch mean of KL(π_φ ‖ π_θ') after adaptation, the largest ‖∇_θL(θ')‖₂ over tasks of the inner
/// problem (7), and the λ of the iteration's adaptations.
/// </summary>
public sealed record MetricsRow(
    int Iteration,
    double PreReturn,
    double PostReturn,
    double Kl,
    bool StepAccepted,
    double CgResidual,
    bool NegativeCurvature,
    double TimeSampling,
    double TimeInner,
    double TimeHypergradient,
    double TimeMetaUpdate,
    double TimeTotal,
    double HypergradientDamping = 0,
    double InnerKl = 0,
    double InnerGradNorm = 0,
    double Lambda = 0)
{
    /// <summary>The CSV header, in column order; the time columns are in seconds, as their names say.</summary>
    public const string Header =
        "iteration,pre_return,post_return,kl,step_accepted,cg_residual,negative_curvature,hypergradient_damping," +
        "time_sampling_s,time_inner_s,time_hypergradient_s,time_meta_update_s,time_total_s,inner_kl,inner_grad_norm,lambda";

    /// <summary>The header metrics.csv had before the time columns named their unit (still read).</summary>
    public const string HeaderWithoutUnits =
        "iteration,pre_return,post_return,kl,step_accepted,cg_residual,negative_curvature,hypergradient_damping," +
        "time_sampling,time_inner,time_hypergradient,time_meta_update,time_total";

    /// <summary>A row from a learner's metrics and the measured wall time of the iteration (seconds).</summary>
    public static MetricsRow From(IterationMetrics m, double wallSeconds)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new MetricsRow(m.Iteration, m.PreAdaptationReturn, m.PostAdaptationReturn, m.Kl, m.StepAccepted, m.CgResidual,
            m.NegativeCurvature, m.Time.Sampling, m.Time.InnerAdaptation, m.Time.Hypergradient, m.Time.MetaUpdate, wallSeconds,
            m.HypergradientDamping, m.InnerKl, m.InnerGradientNorm, m.Lambda);
    }

    /// <summary>The row as one CSV line (invariant culture, round-trip doubles, booleans as 1/0).</summary>
    public string ToCsv()
    {
        static string D(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        static string B(bool b) => b ? "1" : "0";
        return string.Join(',', Iteration.ToString(CultureInfo.InvariantCulture), D(PreReturn), D(PostReturn), D(Kl),
            B(StepAccepted), D(CgResidual), B(NegativeCurvature), D(HypergradientDamping), D(TimeSampling), D(TimeInner),
            D(TimeHypergradient), D(TimeMetaUpdate), D(TimeTotal), D(InnerKl), D(InnerGradNorm), D(Lambda));
    }

    /// <summary>The metrics.csv text of <paramref name="rows"/> (header first).</summary>
    public static string ToCsv(IEnumerable<MetricsRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (MetricsRow r in rows)
        {
            sb.Append(r.ToCsv()).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Parses metrics.csv text written by <see cref="ToCsv(IEnumerable{MetricsRow})"/>, under the current header or
    /// <see cref="HeaderWithoutUnits"/>; throws <see cref="InvalidDataException"/> naming the line that does not parse.
    /// </summary>
    public static IReadOnlyList<MetricsRow> ParseCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            throw new InvalidDataException("metrics.csv: empty");
        }

        // Columns are found by name, so files written before a column was added (or before the time columns named
        // their unit) still read; a missing optional column reads as 0.
        string[] names = lines[0].Split(',');
        if (!lines[0].StartsWith(HeaderWithoutUnits[..HeaderWithoutUnits.IndexOf(",time_", StringComparison.Ordinal)], StringComparison.Ordinal))
        {
            throw new InvalidDataException("metrics.csv: unknown header");
        }

        int Column(string name, bool required)
        {
            int j = Array.IndexOf(names, name);
            if (j < 0)
            {
                j = Array.IndexOf(names, name.EndsWith("_s", StringComparison.Ordinal) ? name[..^2] : name);
            }

            return j >= 0 || !required ? j : throw new InvalidDataException($"metrics.csv: no column '{name}'");
        }

        int[] at = [.. Header.Split(',').Select((n, j) => Column(n, required: j < 13))];
        var rows = new List<MetricsRow>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            string[] f = lines[i].Split(',');
            if (f.Length != names.Length)
            {
                throw new InvalidDataException($"metrics.csv line {i + 1}: {f.Length} columns, expected {names.Length}");
            }

            double D(int c) => at[c] < 0 ? 0 : double.TryParse(f[at[c]], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x
                : throw new InvalidDataException($"metrics.csv line {i + 1}: column {at[c] + 1} is not a number");
            bool B(int c) => f[at[c]] == "1";
            int iteration = int.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) ? k
                : throw new InvalidDataException($"metrics.csv line {i + 1}: the iteration is not an integer");
            rows.Add(new MetricsRow(iteration, D(1), D(2), D(3), B(4), D(5), B(6), D(8), D(9), D(10), D(11), D(12), D(7), D(13), D(14), D(15)));
        }

        return rows;
    }
}
