using BoMrl.Adaptation;
using BoMrl.Distances;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>Settings of practical BO-MRL (Algorithm 2).</summary>
/// <param name="Adaptation">The within-task algorithm (7): distance, surrogate, λ, Adam iterations and step size.</param>
/// <param name="Hypergradient">CG iterations, damping and tolerance of the eq. (8) solve.</param>
/// <param name="MetaUpdate">TRPO (δ, CG, line search) or SGD/Adam.</param>
/// <param name="FisherSubsample">
/// TRPO's Fisher-vector products use every k-th pre-adaptation step (1 = all). Subsampling the curvature is what
/// TRPO implementations do to cut its cost (OpenAI baselines uses every 5th); the gradient always uses all steps.
/// </param>
public sealed record BoMrlOptions(AdaptationOptions Adaptation, HypergradientOptions Hypergradient, MetaUpdateOptions MetaUpdate,
    int FisherSubsample = 1)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Adaptation);
        ArgumentNullException.ThrowIfNull(Hypergradient);
        ArgumentNullException.ThrowIfNull(MetaUpdate);
        Adaptation.Validate();
        Hypergradient.Validate();
        MetaUpdate.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FisherSubsample);
    }
}

/// <summary>
/// Practical BO-MRL (Algorithm 2, Appendix D). Meta-iteration k: sample N tasks; collect a batch B_τ with π_φ on each
/// (Algorithm 2, line 3); adapt θ'_τ = Alg(π_φ, λ, τ) by Adam on (7) (line 5); collect a batch with π_θ'_τ and take
/// its policy gradient g'_τ (Algorithm 1, line 5); hypergradient ∇_φJ_τ = Cᵀ(H + δI)⁻¹g'_τ by CG (eq. (8), line 6);
/// meta-update with the task average (line 7): a TRPO step whose Fisher is that of KL(π_φold ‖ π_φ) on the
/// pre-adaptation states, or SGD/Adam.
/// <para>
/// The TRPO line search keeps the exact KL ≤ δ and requires the first-order model of the meta-objective,
/// ĝᵀ(φ − φ_old), not to decrease; evaluating the meta-objective itself at a trial φ would mean re-solving every
/// task's inner problem (docs/meta-learning.md).
/// </para>
/// Rows are weighted per step (1/|B|, eq. (7)).
/// </summary>
public sealed class BoMrlLearner : IMetaLearner, IDisposable
{
    private readonly MetaLearningRuntime _runtime;
    private readonly BoMrlOptions _options;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public BoMrlLearner(MetaTrainingSetup setup, BoMrlOptions options)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _runtime = new MetaLearningRuntime(setup, options.Adaptation, options.Hypergradient, options.MetaUpdate);
    }

    /// <inheritdoc/>
    public string Algorithm => "bomrl-" + _options.Adaptation.Distance.ToName();

    /// <summary>The current meta-parameters φ (a copy).</summary>
    public double[] Phi => (double[])_runtime.Phi.Clone();

    /// <inheritdoc/>
    public MetaLearnerState GetState() => _runtime.GetState();

    /// <summary>Frees the sampler's pooled environments.</summary>
    public void Dispose() => _runtime.Dispose();

    /// <inheritdoc/>
    public void SetState(MetaLearnerState state) => _runtime.SetState(state);

    /// <inheritdoc/>
    public IterationMetrics Iterate(int iteration)
    {
        IterationData d = _runtime.Run(iteration, RowWeighting.PerStep, adaptationSteps: 1, firstOrder: false);
        MetaStep step = default;
        double metaUpdate = MetaLearningRuntime.Time(() =>
        {
            // π_φ's distributions on the pre-adaptation rows: the KL distances' inner objectives already hold them.
            double[][] oldDists = d.Adapted[0].Steps[0].Objective.PhiDistributions.IsEmpty
                ? OldDistributions(d.PreRows, d.Phi)
                : d.Adapted.Select(a => a.Steps[0].Objective.PhiDistributions.ToArray()).ToArray();
            step = _runtime.Update(d.MetaGradient, () => PreAdaptationFisher(d.PreRows, d.Phi),
                Candidate(d.PreRows, oldDists, d.Phi, d.MetaGradient), candidate => MeanKl(d.PreRows, oldDists, candidate));
        });
        return MetaLearningRuntime.Metrics(d, step, metaUpdate);
    }

    /// <summary>v ↦ 1/N Σ_τ ∇²_φ KL(π_φold ‖ π_φ)|φold·v over the pre-adaptation states (subsampled as configured).</summary>
    private LinearOperator PreAdaptationFisher(PolicyBatch[] preRows, double[] phiOld)
    {
        PolicyBatch[] rows = preRows.Select(r => r.Subsample(_options.FisherSubsample)).ToArray();
        double[][] oldDists = OldDistributions(rows, phiOld);
        return _runtime.TaskAveragedOperator(rows.Length, (i, w, v, result) =>
            HessianVector.ForwardDifference((p, g) => w.Evaluator.MeanKl(p, rows[i], oldDists[i], KlDirection.ReferenceFirst, g),
                phiOld, [], v, result, w.Scratch));
    }

    private double[][] OldDistributions(PolicyBatch[] rows, double[] phiOld)
    {
        var d = new double[rows.Length][];
        _runtime.ForEachTask(rows.Length, (i, w) =>
        {
            d[i] = new double[w.Evaluator.DistributionLength(rows[i])];
            w.Evaluator.Distributions(phiOld, rows[i], d[i]);
        });
        return d;
    }

    /// <summary>Mean over tasks of KL(π_φold ‖ π_candidate) on all pre-adaptation states.</summary>
    private double MeanKl(PolicyBatch[] preRows, double[][] oldDists, ReadOnlySpan<double> candidate)
    {
        double[] c = candidate.ToArray();
        var kl = new double[preRows.Length];
        _runtime.ForEachTask(preRows.Length, (i, w) => kl[i] = w.Evaluator.MeanKl(c, preRows[i], oldDists[i], KlDirection.ReferenceFirst, []));
        return kl.Average();
    }

    /// <summary>Line-search evaluation: the first-order model ĝᵀ(φ − φ_old) of the meta-objective and the exact KL.</summary>
    private TrpoCandidate Candidate(PolicyBatch[] preRows, double[][] oldDists, double[] phiOld, double[] gradient) => candidate =>
    {
        double improvement = 0;
        for (int j = 0; j < phiOld.Length; j++)
        {
            improvement += gradient[j] * (candidate[j] - phiOld[j]);
        }

        return (improvement, MeanKl(preRows, oldDists, candidate));
    };

    /// <inheritdoc/>
    public MetaTestResult MetaTest(int steps, int tasks, long seed) =>
        _runtime.MetaTest(Algorithm, steps, tasks, seed, (w, rows, theta) =>
        {
            var next = new double[theta.Length];
            w.Adaptation.Adapt(w.Evaluator, rows, theta, next);
            return next;
        }, RowWeighting.PerStep);
}
