using System.Diagnostics;
using System.Numerics.Tensors;
using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// The machinery BO-MRL and MAML-TRPO share: task sampling, batch collection with advantages, a fixed pool of
/// per-thread workers (evaluator, adaptation, CG solver, baseline), a deterministic per-task parallel loop, the
/// meta-update (TRPO / SGD / Adam) and the meta-test. Per-task work is independent and reductions over tasks run in
/// task order, so results do not depend on the thread count.
/// </summary>
internal sealed class MetaLearningRuntime : IDisposable
{
    private readonly Worker[] _workers;
    private readonly Trpo _trpo;
    private readonly Adam? _metaAdam;

    /// <summary>Per-thread resources.</summary>
    internal sealed class Worker(MetaTrainingSetup setup, AdaptationOptions adaptation, HypergradientOptions hypergradient)
    {
        public BatchObjectives Evaluator { get; } = new(setup.Policy);

        public SampledAdaptation Adaptation { get; } = new(adaptation, setup.Policy.ParameterCount);

        public ImplicitDifferentiation Implicit { get; } = new(setup.Policy.ParameterCount, hypergradient);

        public LinearFeatureBaseline Baseline { get; } = new(setup.Policy.ObservationSize, setup.Advantages.BaselineRegularization);

        public double[] Scratch { get; } = new double[2 * setup.Policy.ParameterCount];
    }

    public MetaLearningRuntime(MetaTrainingSetup setup, AdaptationOptions adaptation, HypergradientOptions hypergradient,
        MetaUpdateOptions metaUpdate)
    {
        setup.Validate();
        metaUpdate.Validate();
        Setup = setup;
        MetaUpdate = metaUpdate;
        int threads = ThreadCount.Resolve(setup.Threads);
        Sampler = new LockstepSampler(setup.Tasks, setup.Policy, setup.EpisodesPerTask, threads);
        _workers = new Worker[Math.Max(1, Math.Min(threads, setup.MetaBatchSize))];
        for (int w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Worker(setup, adaptation, hypergradient);
        }

        int n = setup.Policy.ParameterCount;
        _trpo = new Trpo(n, metaUpdate.Trpo);
        _metaAdam = metaUpdate.Method == MetaUpdateMethod.Adam ? new Adam(n, metaUpdate.LearningRate) : null;
        Phi = setup.Policy.InitialParameters(Seeds.Rng(setup.Seed, -1));
    }

    public MetaTrainingSetup Setup { get; }

    public MetaUpdateOptions MetaUpdate { get; }

    public LockstepSampler Sampler { get; }

    public IDifferentiablePolicy Policy => Setup.Policy;

    /// <summary>The meta-parameters φ.</summary>
    public double[] Phi { get; private set; }

    public int ParameterCount => Setup.Policy.ParameterCount;

    /// <summary>Frees the sampler's pooled environments (native MuJoCo data for locomotion).</summary>
    public void Dispose() => Sampler.Dispose();

    public MetaLearnerState GetState() => new((double[])Phi.Clone(), _metaAdam?.GetState() ?? []);

    public void SetState(MetaLearnerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Phi);
        ArgumentOutOfRangeException.ThrowIfNotEqual(state.Phi.Length, ParameterCount, nameof(state));
        foreach (double v in state.Phi)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("The checkpointed φ holds a non-finite value.", nameof(state));
            }
        }

        if (_metaAdam is null)
        {
            if (state.OptimizerState is { Length: > 0 })
            {
                throw new ArgumentException("The checkpoint holds optimiser state but the meta-update has none.", nameof(state));
            }
        }
        else
        {
            _metaAdam.SetState(state.OptimizerState ?? []);
        }

        Phi = (double[])state.Phi.Clone();
    }

    /// <summary>The N tasks of meta-iteration k (stream (seed, k, 0)).</summary>
    public double[][] SampleTasks(long seed, long iteration, int count)
    {
        Random rng = Seeds.Rng(seed, iteration, 0);
        var tasks = new double[count][];
        for (int i = 0; i < count; i++)
        {
            tasks[i] = Setup.Tasks.SampleTask(rng);
        }

        return tasks;
    }

    /// <summary>
    /// Collects one batch per task (task i with thetas[i], or thetas[0] for all) on sampler stream
    /// <paramref name="stream"/>, fills the advantages, and returns the batches and their row views.
    /// </summary>
    public (TrajectoryBatch[] Batches, PolicyBatch[] Rows) Collect(double[][] tasks, IReadOnlyList<double[]> thetas, long seed,
        long stream, RowWeighting weighting)
    {
        TrajectoryBatch[] batches = Sampler.Sample(tasks, thetas, seed, stream);
        var rows = new PolicyBatch[batches.Length];
        ForEachTask(batches.Length, (i, w) =>
        {
            Advantages.Compute(batches[i], Setup.Advantages, w.Baseline);
            rows[i] = PolicyBatch.FromTrajectories(batches[i], weighting);
        });
        return (batches, rows);
    }

    /// <summary>
    /// Runs body(task, worker) for every task: worker w takes tasks w, w + W, w + 2W, ... (a static split, so the
    /// pairing of tasks and scratch is reproducible; the results never depend on it).
    /// </summary>
    public void ForEachTask(int count, Action<int, Worker> body)
    {
        int workers = Math.Min(_workers.Length, count);
        if (workers <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i, _workers[0]);
            }

            return;
        }

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            for (int i = w; i < count; i += workers)
            {
                body(i, _workers[w]);
            }
        });
    }

    /// <summary>Σ_i parts[i] / count into <paramref name="mean"/>, in task order.</summary>
    public static void Mean(double[][] parts, Span<double> mean)
    {
        mean.Clear();
        foreach (double[] p in parts)
        {
            TensorPrimitives.Add(mean, p, mean);
        }

        TensorPrimitives.Multiply(mean, 1.0 / parts.Length, mean);
    }

    /// <summary>
    /// Fisher-vector product of a sum over tasks of curvature terms: result = 1/N Σ_i product(i, worker, v, part_i),
    /// parallel over tasks, summed in task order.
    /// </summary>
    public LinearOperator TaskAveragedOperator(int count, Action<int, Worker, double[], double[]> product)
    {
        var parts = new double[count][];
        for (int i = 0; i < count; i++)
        {
            parts[i] = new double[ParameterCount];
        }

        return (v, result) =>
        {
            double[] vv = v.ToArray();
            ForEachTask(count, (i, w) => product(i, w, vv, parts[i]));
            Mean(parts, result);
        };
    }

    /// <summary>
    /// Applies the meta-update to φ along the ascent direction <paramref name="gradient"/>. For TRPO the caller gives
    /// the Fisher-vector product and the line-search evaluation; for SGD/Adam only <paramref name="kl"/> (reported).
    /// </summary>
    public MetaStep Update(double[] gradient, Func<LinearOperator> fisher, TrpoCandidate evaluate, Func<double[], double> kl)
    {
        foreach (double g in gradient)
        {
            if (!double.IsFinite(g))
            {
                throw new NumericalFailureException("The meta-gradient is not finite.");
            }
        }

        double[] phi = (double[])Phi.Clone();
        switch (MetaUpdate.Method)
        {
            case MetaUpdateMethod.Trpo:
            {
                TrpoResult r = _trpo.Step(phi, gradient, fisher(), evaluate);
                Phi = phi;
                // A rejected step leaves φ unchanged: the KL of the applied update is then 0.
                return new MetaStep(r.Accepted ? r.Kl : 0.0, r.Accepted, r.Cg.RelativeResidual, r.Cg.NegativeCurvature);
            }

            case MetaUpdateMethod.Sgd:
                TensorPrimitives.MultiplyAdd(gradient, MetaUpdate.LearningRate, phi, phi);
                break;
            default:
            {
                double[] negative = new double[gradient.Length];
                TensorPrimitives.Negate(gradient, negative);
                _metaAdam!.Step(phi, negative);
                break;
            }
        }

        double stepKl = kl(phi);
        Phi = phi;
        return new MetaStep(stepKl, true, 0, false);
    }

    /// <summary>
    /// Meta-test (DESIGN §5): M fresh tasks from (seed, −2); from φ, K adaptation steps, step j on a fresh batch from the
    /// current policy (sampler stream −100 − j, apart from training's streams 2k, 2k + 1); mean and standard error over
    /// tasks of the mean episode return after 0..K steps.
    /// </summary>
    public MetaTestResult MetaTest(string algorithm, int steps, int taskCount, long seed,
        Func<Worker, PolicyBatch, double[], double[]> adapt, RowWeighting weighting)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(taskCount);
        double[][] tasks = SampleTasks(seed, -2, taskCount);
        var thetas = new double[taskCount][];
        for (int i = 0; i < taskCount; i++)
        {
            thetas[i] = (double[])Phi.Clone();
        }

        var mean = new double[steps + 1];
        var stderr = new double[steps + 1];
        var returns = new double[taskCount];
        for (int j = 0; j <= steps; j++)
        {
            (TrajectoryBatch[] batches, PolicyBatch[] rows) = Collect(tasks, thetas, seed, -100 - j, weighting);
            for (int i = 0; i < taskCount; i++)
            {
                returns[i] = batches[i].MeanEpisodeReturn();
            }

            mean[j] = returns.Average();
            stderr[j] = Statistics.StandardError(returns);
            if (j < steps)
            {
                ForEachTask(taskCount, (i, w) => thetas[i] = adapt(w, rows[i], thetas[i]));
            }
        }

        return new MetaTestResult(algorithm, mean, stderr);
    }

    /// <summary>
    /// The part of meta-iteration k both learners share (Algorithm 2, lines 2–6): N tasks from stream (seed, k, 0); a
    /// pre-adaptation batch with π_φ (sampler stream 2k); <paramref name="adaptationSteps"/> adaptations per task on it;
    /// a post-adaptation batch with π_θ' (stream 2k + 1); per task the policy gradient g' = Σ w Â ∇log π_θ' there and
    /// the meta-gradient (dθ'/dφ)ᵀg' (g' itself when <paramref name="firstOrder"/>), each phase timed.
    /// </summary>
    public IterationData Run(int iteration, RowWeighting weighting, int adaptationSteps, bool firstOrder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        long seed = Setup.Seed;
        int nTasks = Setup.MetaBatchSize, n = ParameterCount;
        double[] phi = Phi;
        double[][] tasks = SampleTasks(seed, iteration, nTasks);
        TrajectoryBatch[] pre = [], post = [];
        PolicyBatch[] preRows = [], postRows = [];
        var adapted = new TaskAdaptation[nTasks];
        var metaGradients = new double[nTasks][];
        var summaries = new CgSummary[nTasks];

        double sampling = Time(() => (pre, preRows) = Collect(tasks, [phi], seed, 2L * iteration, weighting));
        double inner = Time(() => ForEachTask(nTasks, (i, w) =>
            adapted[i] = TaskAdaptation.Run(w.Adaptation, w.Evaluator, preRows[i], phi, adaptationSteps)));
        double[][] thetas = adapted.Select(a => a.ThetaPrime).ToArray();
        sampling += Time(() => (post, postRows) = Collect(tasks, thetas, seed, 2L * iteration + 1, weighting));
        double hyper = Time(() => ForEachTask(nTasks, (i, w) =>
        {
            var gPrime = new double[n];
            w.Evaluator.PolicyGradientObjective(thetas[i], postRows[i], gPrime); // ∇ of Σ w ratio·Â at ratio = 1
            metaGradients[i] = gPrime;
            if (!firstOrder)
            {
                metaGradients[i] = new double[n];
                summaries[i] = adapted[i].TransposeJacobianProduct(w.Implicit, w.Evaluator, gPrime, metaGradients[i]);
            }
        }));

        CgSummary cg = default;
        foreach (CgSummary c in summaries)
        {
            cg = cg.With(c);
        }

        var gradient = new double[n];
        Mean(metaGradients, gradient);
        return new IterationData(iteration, phi, pre, preRows, adapted, thetas, post, postRows, gradient, cg, sampling, inner, hyper);
    }

    /// <summary>The metrics of an iteration from its shared part, its meta-update and that update's seconds.</summary>
    public static IterationMetrics Metrics(IterationData d, MetaStep step, double metaUpdateSeconds) => new(d.Iteration,
        d.Pre.Average(b => b.MeanEpisodeReturn()), d.Post.Average(b => b.MeanEpisodeReturn()),
        step.Kl, step.Accepted, Math.Max(d.Cg.WorstRelativeResidual, step.CgRelativeResidual), d.Cg.NegativeCurvature || step.NegativeCurvature,
        new TimeSplit(d.SamplingSeconds, d.InnerSeconds, d.HypergradientSeconds, metaUpdateSeconds), d.Cg.MaxDamping);

    /// <summary>Wall-clock stopwatch helper: runs <paramref name="action"/> and returns its seconds.</summary>
    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

/// <summary>
/// The shared part of one meta-iteration: φ, the batches before and after adaptation (and their rows), the task
/// adaptations and adapted parameters, the task-averaged meta-gradient, the worst CG outcome, and the phase seconds.
/// </summary>
internal sealed record IterationData(int Iteration, double[] Phi, TrajectoryBatch[] Pre, PolicyBatch[] PreRows, TaskAdaptation[] Adapted,
    double[][] Thetas, TrajectoryBatch[] Post, PolicyBatch[] PostRows, double[] MetaGradient, CgSummary Cg, double SamplingSeconds,
    double InnerSeconds, double HypergradientSeconds);

/// <summary>Outcome of a meta-update: KL between the old and the new meta-policy (0 when TRPO rejected the step), acceptance, and TRPO's CG outcome.</summary>
internal readonly record struct MetaStep(double Kl, bool Accepted, double CgRelativeResidual, bool NegativeCurvature);
