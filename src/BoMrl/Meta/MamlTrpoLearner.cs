using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// Settings of MAML-TRPO as pytorch-maml-rl runs it (configs/maml/2d-navigation.yaml: fast-lr 0.1, num-steps 1,
/// first-order false, max-kl 0.01, cg-iters 10, cg-damping 1e-5, ls-max-steps 15, ls-backtrack-ratio 0.8).
/// </summary>
/// <param name="FastLearningRate">Inner policy-gradient step size α (fast-lr).</param>
/// <param name="NumSteps">Inner policy-gradient steps on the training batch (num-steps).</param>
/// <param name="FirstOrder">Treat dθ'/dφ as the identity (first-order MAML).</param>
/// <param name="MetaUpdate">TRPO (the algorithm's own) or SGD/Adam.</param>
public sealed record MamlTrpoOptions(double FastLearningRate, int NumSteps, bool FirstOrder, MetaUpdateOptions MetaUpdate)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(FastLearningRate) || FastLearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FastLearningRate), FastLearningRate, "fast_lr must be finite and positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumSteps);
        ArgumentNullException.ThrowIfNull(MetaUpdate);
        MetaUpdate.Validate();
    }
}

/// <summary>
/// MAML-TRPO (Finn et al. 2017, as implemented by pytorch-maml-rl's MAMLTRPO). Meta-iteration k: N tasks; a training
/// batch per task with π_φ; θ' by num_steps policy-gradient steps θ ← θ + α∇_θ Σ w Â log π_θ on that batch — the
/// library's adaptation component configured as first-order surrogate + D3 with λ = 1/(2α) (Appendix H, DESIGN §3c);
/// a validation batch with π_θ'; the meta-gradient ∇_φ of the post-adaptation surrogate Σ w (π_θ'(φ)/π_θ'old)·Â,
/// i.e. (dθ'/dφ)ᵀg' through the inner step (Hessian-vector products of the inner objective);
/// and the shared TRPO step whose Fisher is the Hessian of the KL of the adapted policies,
/// KL(π_θ'(φ) ‖ π_θ'(φold)) on the validation states — (dθ'/dφ)ᵀF'(dθ'/dφ) — with a backtracking line search that
/// re-adapts at each trial φ and requires the surrogate to improve and that KL ≤ δ. Rows are weighted per episode
/// (pytorch-maml-rl's mean over each episode's steps, then over episodes).
/// </summary>
public sealed class MamlTrpoLearner : IMetaLearner, IDisposable
{
    private readonly MetaLearningRuntime _runtime;
    private readonly MamlTrpoOptions _options;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public MamlTrpoLearner(MetaTrainingSetup setup, MamlTrpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        // The inner objective is quadratic with H = 2λI: one undamped CG iteration solves it exactly.
        _runtime = new MetaLearningRuntime(setup, AdaptationOptions.PolicyGradientStep(options.FastLearningRate),
            new HypergradientOptions(CgIterations: 2, Damping: 0), options.MetaUpdate);
    }

    /// <inheritdoc/>
    public string Algorithm => "maml-trpo";

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
        IterationData d = _runtime.Run(iteration, RowWeighting.PerEpisode, _options.NumSteps, _options.FirstOrder);
        int nTasks = d.Thetas.Length, n = _runtime.ParameterCount;
        MetaStep step = default;
        double metaUpdate = MetaLearningRuntime.Time(() =>
        {
            var oldDists = new double[nTasks][];
            var oldLogp = new double[nTasks][];
            var oldSurrogate = new double[nTasks];
            _runtime.ForEachTask(nTasks, (i, w) =>
            {
                oldDists[i] = new double[w.Evaluator.DistributionLength(d.PostRows[i])];
                w.Evaluator.Distributions(d.Thetas[i], d.PostRows[i], oldDists[i]);
                oldLogp[i] = new double[d.PostRows[i].Rows];
                w.Evaluator.LogProbs(d.Thetas[i], d.PostRows[i], oldLogp[i]);
                oldSurrogate[i] = w.Evaluator.RatioSurrogate(d.Thetas[i], d.PostRows[i], oldLogp[i], clipped: false, []);
            });

            (double Surrogate, double Kl) Evaluate(ReadOnlySpan<double> candidate)
            {
                double[] c = candidate.ToArray();
                var s = new double[nTasks];
                var kl = new double[nTasks];
                _runtime.ForEachTask(nTasks, (i, w) =>
                {
                    double[] theta = TaskAdaptation.Run(w.Adaptation, w.Evaluator, d.PreRows[i], c, _options.NumSteps).ThetaPrime;
                    s[i] = w.Evaluator.RatioSurrogate(theta, d.PostRows[i], oldLogp[i], clipped: false, []) - oldSurrogate[i];
                    kl[i] = w.Evaluator.MeanKl(theta, d.PostRows[i], oldDists[i], KlDirection.PolicyFirst, []);
                });
                return (s.Average(), kl.Average());
            }

            LinearOperator Fisher() => _runtime.TaskAveragedOperator(nTasks, (i, w, v, result) =>
            {
                // (dθ'/dφ)ᵀ · ∇²_θ KL(π_θ ‖ π_θ'old)|θ' · (dθ'/dφ) · v
                var jv = new double[n];
                if (_options.FirstOrder)
                {
                    v.CopyTo(jv, 0);
                }
                else
                {
                    d.Adapted[i].JacobianProduct(w.Implicit, w.Evaluator, v, jv);
                }

                var fjv = new double[n];
                HessianVector.ForwardDifference((p, g) => w.Evaluator.MeanKl(p, d.PostRows[i], oldDists[i], KlDirection.PolicyFirst, g),
                    d.Thetas[i], [], jv, fjv, w.Scratch);
                if (_options.FirstOrder)
                {
                    fjv.CopyTo(result, 0);
                }
                else
                {
                    d.Adapted[i].TransposeJacobianProduct(w.Implicit, w.Evaluator, fjv, result);
                }
            });

            step = _runtime.Update(d.MetaGradient, Fisher, c => Evaluate(c), c => Evaluate(c).Kl);
        });

        return MetaLearningRuntime.Metrics(d, step, metaUpdate);
    }

    /// <inheritdoc/>
    public MetaTestResult MetaTest(int steps, int tasks, long seed) =>
        _runtime.MetaTest(Algorithm, steps, tasks, seed,
            (w, rows, theta) => TaskAdaptation.Run(w.Adaptation, w.Evaluator, rows, theta, _options.NumSteps).ThetaPrime,
            RowWeighting.PerEpisode);
}
