using System.Globalization;
using System.Text;
using BoMrl.Meta;

namespace BoMrl.Experiments;

/// <summary>
/// One line of a run's metrics.csv: the <see cref="IterationMetrics"/> of one meta-iteration plus its measured wall
/// time. <see cref="TimeTotal"/> is the wall-clock time of the whole <c>Iterate</c> call (so phases a learner does not
/// attribute still count); the four phase columns are the learner's own split (paper, Appendix E). The last two
/// columns: the largest ‖∇_θL(θ')‖₂ over tasks of the inner problem (7), and the λ of the iteration's adaptations.
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
    double InnerGradNorm = 0,
    double Lambda = 0)
{
    /// <summary>The CSV header, in column order.</summary>
    public const string Header =
        "iteration,pre_return,post_return,kl,step_accepted,cg_residual,negative_curvature,hypergradient_damping," +
        "time_sampling,time_inner,time_hypergradient,time_meta_update,time_total,inner_grad_norm,lambda";

    /// <summary>A row from a learner's metrics and the measured wall time of the iteration (seconds).</summary>
    public static MetricsRow From(IterationMetrics m, double wallSeconds)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new MetricsRow(m.Iteration, m.PreAdaptationReturn, m.PostAdaptationReturn, m.Kl, m.StepAccepted, m.CgResidual,
            m.NegativeCurvature, m.Time.Sampling, m.Time.InnerAdaptation, m.Time.Hypergradient, m.Time.MetaUpdate, wallSeconds,
            m.HypergradientDamping, m.InnerGradientNorm, m.Lambda);
    }

    /// <summary>The row as one CSV line (invariant culture, round-trip doubles, booleans as 1/0).</summary>
    public string ToCsv()
    {
        static string D(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        static string B(bool b) => b ? "1" : "0";
        return string.Join(',', Iteration.ToString(CultureInfo.InvariantCulture), D(PreReturn), D(PostReturn), D(Kl),
            B(StepAccepted), D(CgResidual), B(NegativeCurvature), D(HypergradientDamping), D(TimeSampling), D(TimeInner),
            D(TimeHypergradient), D(TimeMetaUpdate), D(TimeTotal), D(InnerGradNorm), D(Lambda));
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
}
