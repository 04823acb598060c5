using BoMrl.Numerics;
using BoMrl.Tabular.Adaptation;

namespace BoMrl.Tabular.Meta;

/// <summary>One task's bilevel step: return before and after adaptation, the adapted logits, the hypergradient and (when asked) dJ/dλ.</summary>
public sealed record TaskStep(double PreAdaptationReturn, double PostAdaptationReturn, double[] ThetaPrime, double[]? Hypergradient, long Samples,
    double? LambdaDerivative = null);

/// <summary>
/// Settings of Algorithm 1 (SGD meta-training): iterations T, learning rate α, tasks per iteration, seed, and the worker
/// threads of each iteration's batch (0 = every core; results do not depend on it). With <paramref name="LearnLambda"/>,
/// λ = exp(ℓ) is meta-learned alongside φ: ℓ starts at log of the adaptation's λ and ascends ℓ ← ℓ +
/// <paramref name="LambdaLearningRate"/>·λ·mean dJ/dλ (<see cref="TabularHypergradient.LambdaDerivative"/>).
/// </summary>
public sealed record MetaTrainingOptions(int Iterations, double LearningRate, int TasksPerIteration, long Seed, int Threads = 0,
    bool LearnLambda = false, double LambdaLearningRate = 0.01)
{
    /// <summary>Validates the settings (positive counts, positive finite α).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TasksPerIteration);
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the meta learning rate must be positive and finite.");
        }

        if (!double.IsFinite(LambdaLearningRate) || LambdaLearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LambdaLearningRate), LambdaLearningRate, "the λ learning rate must be positive and finite.");
        }
    }
}

/// <summary>
/// Result of meta-training: final φ, mean post-adaptation return of each iteration's batch, samples used, and the
/// adaptation with the final λ (the configured one unless λ was meta-learned) with λ of each iteration.
/// </summary>
public sealed record MetaTrainingResult(double[] Phi, double[] PostAdaptationReturns, long Samples, TabularAdaptation? Adaptation = null,
    double[]? Lambdas = null);

/// <summary>
/// The bilevel problem on tabular MDPs: the meta-objective F(φ) = E_τ[J_τ(Alg(π_φ, λ, τ))] (eq. 3), one task's
/// step (Algorithm 1 lines 3–6), and Algorithm 1 itself (SGD over sampled tasks, exact or Monte-Carlo Q).
/// </summary>
public static class TabularMetaTraining
{
    /// <summary>
    /// Algorithm 1 lines 3–6 on one task: Q of π_φ (exact or estimated), θ' = Alg(π_φ), Q of π_θ', and the
    /// hypergradient (when <paramref name="withGradient"/>). Returns are always exact.
    /// </summary>
    public static TaskStep Step(TabularMdp task, ReadOnlySpan<double> phi, TabularAdaptation alg, QEstimator q, Random? rng,
        bool withGradient, bool withLambdaDerivative = false)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(alg);
        ArgumentNullException.ThrowIfNull(q);
        PolicyEvaluation atPhi = q.Evaluate(task, phi, rng, out long n1);
        double[] theta = alg.Adapt(phi, atPhi);
        if (!withGradient)
        {
            return new TaskStep(atPhi.Return, PolicyEvaluation.OfLogits(task, theta).Return, theta, null, n1);
        }

        PolicyEvaluation atPrime = q.Evaluate(task, theta, rng, out long n2);

        double[] grad = new double[phi.Length];
        TabularHypergradient.Compute(alg, phi, atPhi, theta, atPrime, grad);
        double? dLambda = withLambdaDerivative ? TabularHypergradient.LambdaDerivative(alg, phi, atPhi, theta, atPrime) : null;
        return new TaskStep(atPhi.Return, atPrime.Return, theta, grad, n1 + n2, dLambda);
    }

    /// <summary>F(φ) = mean over <paramref name="tasks"/> of J_τ(Alg(π_φ, λ, τ)) with exact Q (deterministic).</summary>
    public static double MetaObjective(IReadOnlyList<TabularMdp> tasks, ReadOnlySpan<double> phi, TabularAdaptation alg)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double sum = 0;
        foreach (TabularMdp t in tasks)
        {
            sum += Step(t, phi, alg, QEstimator.Exact, null, withGradient: false).PostAdaptationReturn;
        }

        return sum / tasks.Count;
    }

    /// <summary>
    /// ∇F(φ) with exact Q: the mean of the per-task hypergradients, tasks on <paramref name="threads"/> workers (0 = every
    /// core) and summed in task order. Returns F(φ).
    /// </summary>
    public static double MetaGradient(IReadOnlyList<TabularMdp> tasks, ReadOnlySpan<double> phi, TabularAdaptation alg, Span<double> gradient,
        int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double[] phiCopy = phi.ToArray();
        TaskStep[] steps = new TaskStep[tasks.Count];
        Parallel.For(0, tasks.Count, ThreadCount.Options(threads), i => steps[i] = Step(tasks[i], phiCopy, alg, QEstimator.Exact, null, withGradient: true));
        gradient.Clear();
        double f = 0;
        foreach (TaskStep s in steps)
        {
            f += s.PostAdaptationReturn;
            for (int j = 0; j < gradient.Length; j++)
            {
                gradient[j] += s.Hypergradient![j] / tasks.Count;
            }
        }

        return f / tasks.Count;
    }

    /// <summary>
    /// Algorithm 1: for t = 0..T−1, draw <see cref="MetaTrainingOptions.TasksPerIteration"/> distinct tasks (stream
    /// (seed, t)), run <see cref="Step"/> on each (Monte-Carlo stream (seed, t, task)), and ascend
    /// φ ← φ + α · mean hypergradient. Deterministic for a seed whatever the thread count (fixed-order reduction).
    /// <paramref name="progress"/> receives (iteration, mean post-adaptation return of the batch).
    /// </summary>
    public static MetaTrainingResult Train(IReadOnlyList<TabularMdp> tasks, TabularAdaptation alg, QEstimator q,
        MetaTrainingOptions options, ReadOnlySpan<double> phi0, Action<int, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (tasks.Count == 0)
        {
            throw new ArgumentException("no training tasks", nameof(tasks));
        }

        int batch = Math.Min(options.TasksPerIteration, tasks.Count);
        double[] phi = phi0.ToArray();
        double[] returns = new double[options.Iterations];
        long samples = 0;
        int[] order = new int[tasks.Count];
        TaskStep[] steps = new TaskStep[batch];
        double logLambda = PortableMath.Log(alg.Lambda);
        double[] lambdas = new double[options.Iterations];
        TabularAdaptation current = alg;
        for (int t = 0; t < options.Iterations; t++)
        {
            lambdas[t] = current.Lambda;
            Random pick = Seeds.Rng(options.Seed, t);
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            for (int i = 0; i < batch; i++)
            {
                int j = i + pick.Next(order.Length - i);
                (order[i], order[j]) = (order[j], order[i]);
            }

            double[] phiNow = phi;
            int iteration = t;
            Parallel.For(0, batch, ThreadCount.Options(options.Threads), i =>
            {
                Random rng = Seeds.Rng(options.Seed, iteration, order[i]);
                steps[i] = Step(tasks[order[i]], phiNow, current, q, rng, withGradient: true, options.LearnLambda);
            });
            double[] next = (double[])phi.Clone();
            double mean = 0, dLambda = 0;
            for (int i = 0; i < batch; i++)
            {
                samples += steps[i].Samples;
                mean += steps[i].PostAdaptationReturn / batch;
                dLambda += (steps[i].LambdaDerivative ?? 0) / batch;
                double[] g = steps[i].Hypergradient!;
                for (int j = 0; j < next.Length; j++)
                {
                    next[j] += options.LearningRate * g[j] / batch;
                }
            }

            foreach (double v in next)
            {
                if (!double.IsFinite(v))
                {
                    throw new NumericalFailureException($"meta-training: non-finite meta-parameters at iteration {t} (learning rate too large?).");
                }
            }

            phi = next;
            returns[t] = mean;
            if (options.LearnLambda)
            {
                // dJ/dℓ = λ·dJ/dλ; a plain gradient-ascent step on ℓ alongside φ's.
                logLambda += options.LambdaLearningRate * current.Lambda * dLambda;
                if (!double.IsFinite(logLambda))
                {
                    throw new NumericalFailureException($"meta-training: non-finite log λ at iteration {t}.");
                }

                current = alg.WithLambda(PortableMath.Exp(logLambda));
            }

            progress?.Invoke(t, mean);
        }

        return new MetaTrainingResult(phi, returns, samples, current, lambdas);
    }
}
