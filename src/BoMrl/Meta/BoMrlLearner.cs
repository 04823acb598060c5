using BoMrl.Adaptation;
using BoMrl.DistanceKinds;
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
/// <param name="Weighting">Row weights of every batch objective: per step (1/|B|, eq. (7); the default) or per episode.</param>
/// <param name="LearnLambda">
/// Meta-learn λ = exp(ℓ) with φ: ℓ starts at log of the configured λ and takes a plain gradient-ascent step
/// ℓ ← ℓ + <paramref name="LambdaLearningRate"/>·λ·mean_τ dJ_τ/dλ after each meta-update of φ (TRPO's trust region is
/// φ's alone); dJ/dλ comes from eq. (8)'s own solve (<see cref="BoMrlHypergradient.LambdaDerivative"/>).
/// </param>
/// <param name="LambdaLearningRate">ℓ's step size.</param>
/// <param name="FullTerms">
/// Add to eq. (8) what it drops: the dependence of the ratio's behaviour probabilities on φ (exact) and of the
/// sampled batch on π_φ (score-function estimator; docs/meta-learning.md, "Full hypergradient terms").
/// </param>
public sealed record BoMrlOptions(AdaptationOptions Adaptation, HypergradientOptions Hypergradient, MetaUpdateOptions MetaUpdate,
    int FisherSubsample = 1, RowWeighting Weighting = RowWeighting.PerStep, bool LearnLambda = false, double LambdaLearningRate = 0.01, bool FullTerms = false)
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
        if (!Enum.IsDefined(Weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "Unknown row weighting.");
        }

        if (!double.IsFinite(LambdaLearningRate) || LambdaLearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LambdaLearningRate), LambdaLearningRate, "must be finite and positive");
        }
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
/// Rows are weighted per step (1/|B|, eq. (7)) unless <see cref="BoMrlOptions.Weighting"/> says per episode.
/// </summary>
public sealed class BoMrlLearner : PerTaskMetaLearner
{
    private readonly BoMrlOptions _options;

    /// <summary>Per-task slots of the meta-update: π_φold's distributions on B⁰, and the Fisher's rows and distributions.</summary>
    private readonly double[][] _oldDists;
    private readonly double[]?[] _fisherDists;
    private readonly PolicyBatch?[] _fisherRows;
    private double _logLambda;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public BoMrlLearner(MetaTrainingSetup setup, BoMrlOptions options)
        : base(setup, Checked(options).Weighting, options.Adaptation, options.Hypergradient, options.MetaUpdate)
    {
        _options = options;
        _logLambda = PortableMath.Log(options.Adaptation.Lambda);
        _oldDists = new double[setup.MetaBatchSize][];
        _fisherDists = new double[setup.MetaBatchSize][];
        _fisherRows = new PolicyBatch[setup.MetaBatchSize];
    }

    /// <summary>λ of the adaptations: exp(ℓ) when meta-learned, else the configured λ.</summary>
    protected override double CurrentLambda => _options.LearnLambda ? PortableMath.Exp(_logLambda) : ConfiguredLambda;

    /// <summary>The learner's own checkpoint state: [ℓ] when λ is meta-learned, else nothing.</summary>
    protected override double[] LearnerState => _options.LearnLambda ? [_logLambda] : [];

    /// <inheritdoc/>
    protected override void RestoreLearnerState(ReadOnlySpan<double> state)
    {
        if (_options.LearnLambda)
        {
            if (!double.IsFinite(state[0]))
            {
                throw new ArgumentException("A meta-learned λ needs a finite log λ in the checkpoint.", nameof(state));
            }

            _logLambda = state[0];
        }
    }

    /// <inheritdoc/>
    public override string Algorithm => "bomrl-" + _options.Adaptation.Distance.ToName();

    private static BoMrlOptions Checked(BoMrlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>One solve of (7) by Adam from φ (Algorithm 2, line 5).</summary>
    protected override TaskAdaptation Adapt(TaskWorker worker, PolicyBatch batch, ReadOnlySpan<double> phi) =>
        TaskAdaptation.Run(worker.Adaptation, worker.Objectives, batch, phi, 1, lambda: _options.LearnLambda ? CurrentLambda : null);

    /// <summary>
    /// The hypergradient of eq. (8) from the post-adaptation batch (Algorithm 2, line 6); with a meta-learned λ also
    /// dJ/dλ from the same solve, and with full terms the score-function term eq. (8) drops.
    /// </summary>
    protected override CgSummary MetaGradient(TaskWorker worker, IterationData data, int task, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        TaskAdaptation a = data.Adapted[task];
        if (!_options.LearnLambda && !_options.FullTerms)
        {
            return worker.Hypergradient.Compute(worker.Objectives, a, data.PostRows[task], result);
        }

        var x = new double[result.Length]; // eq. (8)'s (H + δI)⁻¹g', which dJ/dλ and the behaviour term reuse
        CgSummary cg = BoMrlHypergradient.Compute(worker.Hypergradient, worker.Objectives, a, data.PostRows[task], result, x);
        if (_options.LearnLambda)
        {
            data.Extras[task] = [BoMrlHypergradient.LambdaDerivative(a.Steps[0].Objective, worker.Objectives, a.ThetaPrime, x)];
        }

        if (_options.FullTerms)
        {
            BoMrlHypergradient.AddBehaviourTerm(a.Steps[0].Objective, worker.Objectives, a.ThetaPrime, x, result);
            BatchScoreTerm.Add(worker.Objectives, data, task, result);
        }

        return cg;
    }

    /// <summary>With full terms, Ĵ_τ of the post-adaptation batch (<see cref="BatchScoreTerm.Statistics"/>), the other tasks' baseline.</summary>
    protected override double[] TaskStatistics(IterationData data, int task) =>
        _options.FullTerms ? BatchScoreTerm.Statistics(data, task, Setup.EpisodesPerTask) : [];

    /// <summary>The meta-update of φ (Algorithm 2, line 7), then ℓ = log λ's gradient step when λ is meta-learned.</summary>
    protected override MetaStep MetaUpdate(IterationData data)
    {
        MetaStep step = base.MetaUpdate(data);
        if (_options.LearnLambda)
        {
            double mean = 0;
            foreach (double[] extras in data.Extras)
            {
                mean += extras[0] / data.Extras.Length; // task order: deterministic
            }

            // dJ/dℓ = λ·dJ/dλ.
            double next = _logLambda + _options.LambdaLearningRate * PortableMath.Exp(_logLambda) * mean;
            if (!double.IsFinite(next))
            {
                throw new NumericalFailureException($"The meta-learned log λ is not finite (dJ/dλ = {mean}).");
            }

            _logLambda = next;
        }

        return step;
    }

    /// <summary>
    /// TRPO around φ_old on the pre-adaptation states: task i's π_φold distributions there (the KL distances' inner
    /// objectives already hold them); the Fisher's subsampled rows are prepared on the first product.
    /// </summary>
    protected override void PrepareTask(TaskWorker worker, IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        ReadOnlySpan<double> held = data.Adapted[task].Steps[0].Objective.PhiDistributions;
        _oldDists[task] = held.IsEmpty ? Distributions(worker, data.PreRows[task], data.Phi) : held.ToArray();
        _fisherRows[task] = null;
        _fisherDists[task] = null;
    }

    /// <summary>∇²_φ KL(π_φold ‖ π_φ)|φold·v over task i's pre-adaptation states (every k-th step as configured).</summary>
    protected override void CurvatureProduct(TaskWorker worker, IterationData data, int task, ReadOnlySpan<double> v, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        if (_fisherRows[task] is not { } rows || _fisherDists[task] is not { } oldDists)
        {
            rows = _fisherRows[task] = data.PreRows[task].Subsample(_options.FisherSubsample);
            oldDists = _fisherDists[task] = Distributions(worker, rows, data.Phi);
        }

        HessianVector.ForwardDifference((p, g) => worker.Objectives.MeanKl(p, rows, oldDists, KlDirection.ReferenceFirst, g),
            data.Phi, [], v, result, worker.Scratch);
    }

    /// <summary>A trial's KL (the improvement is the learner's first-order model, <see cref="TrialImprovement"/>).</summary>
    protected override TaskTrial EvaluateTrial(TaskWorker worker, IterationData data, int task, double[] candidate) =>
        new([], TrialKl(worker, data, task, candidate));

    /// <summary>Task i's KL(π_φold ‖ π_candidate) on all its pre-adaptation states.</summary>
    protected override double TrialKl(TaskWorker worker, IterationData data, int task, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        return worker.Objectives.MeanKl(candidate, data.PreRows[task], _oldDists[task], KlDirection.ReferenceFirst, []);
    }

    /// <summary>The line search's first-order model ĝᵀ(φ − φ_old) of the meta-objective (no per-task terms).</summary>
    protected override double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, ReadOnlySpan<double> termMeans)
    {
        ArgumentNullException.ThrowIfNull(data);
        double[] phiOld = data.Phi, gradient = data.MetaGradient;
        double improvement = 0;
        for (int j = 0; j < phiOld.Length; j++)
        {
            improvement += gradient[j] * (candidate[j] - phiOld[j]);
        }

        return improvement;
    }

    private static double[] Distributions(TaskWorker worker, PolicyBatch rows, double[] phiOld)
    {
        var d = new double[worker.Objectives.DistributionLength(rows)];
        worker.Objectives.Distributions(phiOld, rows, d);
        return d;
    }
}
