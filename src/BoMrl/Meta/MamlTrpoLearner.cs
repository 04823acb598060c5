using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Policies;
using BoMrl.Sampling;

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
public sealed class MamlTrpoLearner : IMetaLearner
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

    /// <inheritdoc/>
    public void SetState(MetaLearnerState state) => _runtime.SetState(state);

    /// <inheritdoc/>
    public IterationMetrics Iterate(int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        MetaLearningRuntime rt = _runtime;
        long seed = rt.Setup.Seed;
        int nTasks = rt.Setup.MetaBatchSize, n = rt.ParameterCount;
        double[] phi = rt.Phi;
        double[][] tasks = rt.SampleTasks(seed, iteration, nTasks);

        TrajectoryBatch[] train = [], valid = [];
        PolicyBatch[] trainRows = [], validRows = [];
        var adapted = new TaskAdaptation[nTasks];
        var metaGradients = new double[nTasks][];
        var summaries = new CgSummary[nTasks];

        double sampling = MetaLearningRuntime.Time(() => (train, trainRows) = rt.Collect(tasks, [phi], seed, 2L * iteration, RowWeighting.PerEpisode));
        double inner = MetaLearningRuntime.Time(() => rt.ForEachTask(nTasks, (i, w) =>
            adapted[i] = TaskAdaptation.Run(w.Adaptation, w.Evaluator, trainRows[i], phi, _options.NumSteps)));
        double[][] thetas = adapted.Select(a => a.ThetaPrime).ToArray();
        sampling += MetaLearningRuntime.Time(() => (valid, validRows) = rt.Collect(tasks, thetas, seed, 2L * iteration + 1, RowWeighting.PerEpisode));
        double hyper = MetaLearningRuntime.Time(() => rt.ForEachTask(nTasks, (i, w) =>
        {
            var gPrime = new double[n];
            w.Evaluator.PolicyGradientObjective(thetas[i], validRows[i], gPrime); // ∇ of Σ w ratio·Â at ratio = 1
            metaGradients[i] = gPrime;
            if (!_options.FirstOrder)
            {
                metaGradients[i] = new double[n];
                summaries[i] = adapted[i].TransposeJacobianProduct(w.Implicit, w.Evaluator, gPrime, metaGradients[i]);
            }
        }));

        MetaStep step = default;
        double metaUpdate = MetaLearningRuntime.Time(() =>
        {
            var gradient = new double[n];
            MetaLearningRuntime.Mean(metaGradients, gradient);
            var oldDists = new double[nTasks][];
            var oldLogp = new double[nTasks][];
            var oldSurrogate = new double[nTasks];
            rt.ForEachTask(nTasks, (i, w) =>
            {
                oldDists[i] = new double[w.Evaluator.DistributionLength(validRows[i])];
                w.Evaluator.Distributions(thetas[i], validRows[i], oldDists[i]);
                oldLogp[i] = new double[validRows[i].Rows];
                w.Evaluator.LogProbs(thetas[i], validRows[i], oldLogp[i]);
                oldSurrogate[i] = w.Evaluator.Surrogate(thetas[i], validRows[i], oldLogp[i], clipped: false, []);
            });

            (double Surrogate, double Kl) Evaluate(ReadOnlySpan<double> candidate)
            {
                double[] c = candidate.ToArray();
                var s = new double[nTasks];
                var kl = new double[nTasks];
                rt.ForEachTask(nTasks, (i, w) =>
                {
                    double[] theta = TaskAdaptation.Run(w.Adaptation, w.Evaluator, trainRows[i], c, _options.NumSteps).ThetaPrime;
                    s[i] = w.Evaluator.Surrogate(theta, validRows[i], oldLogp[i], clipped: false, []) - oldSurrogate[i];
                    kl[i] = w.Evaluator.MeanKl(theta, validRows[i], oldDists[i], KlDirection.PolicyFirst, []);
                });
                return (s.Average(), kl.Average());
            }

            LinearOperator Fisher() => rt.TaskAveragedOperator(nTasks, (i, w, v, result) =>
            {
                // (dθ'/dφ)ᵀ · ∇²_θ KL(π_θ ‖ π_θ'old)|θ' · (dθ'/dφ) · v
                var jv = new double[n];
                if (_options.FirstOrder)
                {
                    v.CopyTo(jv, 0);
                }
                else
                {
                    adapted[i].JacobianProduct(w.Implicit, w.Evaluator, v, jv);
                }

                var fjv = new double[n];
                HessianVector.ForwardDifference((p, g) => w.Evaluator.MeanKl(p, validRows[i], oldDists[i], KlDirection.PolicyFirst, g),
                    thetas[i], [], jv, fjv, w.Scratch);
                if (_options.FirstOrder)
                {
                    fjv.CopyTo(result, 0);
                }
                else
                {
                    adapted[i].TransposeJacobianProduct(w.Implicit, w.Evaluator, fjv, result);
                }
            });

            step = rt.Update(gradient, Fisher, c => Evaluate(c), c => Evaluate(c).Kl);
        });

        CgSummary cg = default;
        foreach (CgSummary s in summaries)
        {
            cg = cg.With(s);
        }

        return new IterationMetrics(iteration,
            train.Average(b => b.MeanEpisodeReturn()), valid.Average(b => b.MeanEpisodeReturn()),
            step.Kl, step.Accepted, Math.Max(cg.WorstRelativeResidual, step.CgRelativeResidual), cg.NegativeCurvature || step.NegativeCurvature,
            new TimeSplit(sampling, inner, hyper, metaUpdate));
    }

    /// <inheritdoc/>
    public MetaTestResult MetaTest(int steps, int tasks, long seed) =>
        _runtime.MetaTest(Algorithm, steps, tasks, seed,
            (w, rows, theta) => TaskAdaptation.Run(w.Adaptation, w.Evaluator, rows, theta, _options.NumSteps).ThetaPrime,
            RowWeighting.PerEpisode);
}
