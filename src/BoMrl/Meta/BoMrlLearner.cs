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
    private double _logLambda;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public BoMrlLearner(MetaTrainingSetup setup, BoMrlOptions options)
        : base(setup, Checked(options).Weighting, options.Adaptation, options.Hypergradient, options.MetaUpdate)
    {
        _options = options;
        _logLambda = PortableMath.Log(options.Adaptation.Lambda);
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
    protected override TaskAdaptation Adapt(TaskScratch scratch, PolicyBatch batch, ReadOnlySpan<double> phi) =>
        TaskAdaptation.Run(scratch.Adaptation, scratch.Objectives, batch, phi, 1, lambda: _options.LearnLambda ? CurrentLambda : null);

    /// <inheritdoc/>
    public override MetaTask CreateTask(TaskContext context) => new BoMrlTask(this, context, _options);

    /// <summary>The meta-update of φ (Algorithm 2, line 7), then ℓ = log λ's gradient step when λ is meta-learned.</summary>
    protected override MetaStep MetaUpdate(IterationData data)
    {
        MetaStep step = base.MetaUpdate(data);
        if (_options.LearnLambda)
        {
            double mean = 0;
            foreach (TaskMetaGradient part in data.Parts)
            {
                mean += ((BoMrlExtras)part.Extras!).LambdaDerivative / data.Parts.Length; // task order: deterministic
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

    /// <summary>The line search's first-order model ĝᵀ(φ − φ_old) of the meta-objective (no per-task terms).</summary>
    protected override double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, TaskTrial[] trials)
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
}
