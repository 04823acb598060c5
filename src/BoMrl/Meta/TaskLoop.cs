using System.Runtime.ExceptionServices;
using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// The per-thread scratch and solvers a per-task step runs with: batched objectives, the adaptation (Adam moments), the
/// eq. (8) solver (CG buffers), the advantage baseline and difference scratch. Never shared between threads.
/// </summary>
public sealed class TaskScratch
{
    internal TaskScratch(MetaTrainingSetup setup, AdaptationOptions adaptation, HypergradientOptions hypergradient)
    {
        int n = setup.Policy.ParameterCount;
        Objectives = new BatchObjectives(setup.Policy);
        Adaptation = new SampledAdaptation(adaptation, n);
        Hypergradient = new Hypergradient(n, hypergradient);
        Baseline = new LinearFeatureBaseline(setup.Policy.ObservationSize, setup.Advantages.BaselineRegularization);
        Scratch = new double[2 * n];
    }

    /// <summary>Batched objectives of the policy (one forward and one backward pass per sum of terms).</summary>
    public BatchObjectives Objectives { get; }

    /// <summary>The within-task adaptation Alg(π_φ, λ, τ) (eq. (7)).</summary>
    public SampledAdaptation Adaptation { get; }

    /// <summary>The implicit-function solves of eq. (8).</summary>
    public Hypergradient Hypergradient { get; }

    /// <summary>The linear feature baseline of the advantage estimator.</summary>
    public LinearFeatureBaseline Baseline { get; }

    /// <summary>Scratch of 2 × ParameterCount for finite-difference products.</summary>
    public double[] Scratch { get; }
}

/// <summary>
/// The deterministic per-task parallel loop and its per-thread resources: a fixed pool of <see cref="TaskScratch"/>es,
/// a static split of tasks over them, and reductions over tasks in task order, so that results never depend on the
/// thread count. A failing task surfaces as one exception that names it.
/// </summary>
public sealed class TaskLoop
{
    private readonly TaskScratch[] _scratch;
    private readonly int _parameterCount;

    internal TaskLoop(MetaTrainingSetup setup, AdaptationOptions adaptation, HypergradientOptions hypergradient, int count)
    {
        _scratch = new TaskScratch[count];
        for (int w = 0; w < count; w++)
        {
            _scratch[w] = new TaskScratch(setup, adaptation, hypergradient);
        }

        _parameterCount = setup.Policy.ParameterCount;
    }

    /// <summary>Number of threads (scratch sets) in the pool.</summary>
    public int Count => _scratch.Length;

    /// <summary>Runs body(task, scratch) for tasks 0..count − 1 (see <see cref="ForEach{TScratch}"/>).</summary>
    public void ForEach(int count, Action<int, TaskScratch> body) => ForEach(_scratch, count, body);

    /// <summary>
    /// Runs body(task, scratch) for every task: thread w takes tasks w, w + W, w + 2W, ... (a static split, so the
    /// pairing of tasks and scratch is reproducible; the results never depend on it). When bodies throw, the failure of
    /// the lowest task index is rethrown alone: a <see cref="NumericalFailureException"/> as one whose message starts
    /// "task i: ", any other exception as it was thrown.
    /// </summary>
    internal static void ForEach<TScratch>(TScratch[] scratch, int count, Action<int, TScratch> body)
    {
        var failures = new Exception?[count];
        int used = Math.Min(scratch.Length, count);
        void RunStride(int w)
        {
            for (int i = w; i < count; i += used)
            {
                try
                {
                    body(i, scratch[w]);
                }
                catch (Exception e)
                {
                    // A thread stops at its first failure; the lowest failing index is still always reached.
                    failures[i] = e;
                    return;
                }
            }
        }

        if (used <= 1)
        {
            RunStride(0);
        }
        else
        {
            Parallel.For(0, used, new ParallelOptions { MaxDegreeOfParallelism = used }, RunStride);
        }

        for (int i = 0; i < count; i++)
        {
            if (failures[i] is NumericalFailureException numerical)
            {
                throw new NumericalFailureException($"task {i}: {numerical.Message}", numerical);
            }

            if (failures[i] is { } other)
            {
                ExceptionDispatchInfo.Throw(other);
            }
        }
    }

    /// <summary>Σ_i parts[i] / count into <paramref name="mean"/>, in task order.</summary>
    public static void Mean(double[][] parts, Span<double> mean)
    {
        ArgumentNullException.ThrowIfNull(parts);
        mean.Clear();
        foreach (double[] p in parts)
        {
            FixedOrder.Add(mean, p, mean);
        }

        FixedOrder.Multiply(mean, 1.0 / parts.Length, mean);
    }
}
