using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>Small random policies and batches for gradient checks.</summary>
internal static class TinyPolicies
{
    public static IDifferentiablePolicy Create(string kind) => kind switch
    {
        "gaussian" => new GaussianMlpPolicy(3, 2, [5, 4], LogStdMode.Parameter, initialLogStd: -0.3),
        "gaussian-mlp-std" => new GaussianMlpPolicy(3, 2, [5, 4], LogStdMode.Mlp, initialLogStd: -0.3),
        "categorical" => new CategoricalMlpPolicy(3, 4, [5, 4]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static readonly string[] Kinds = ["gaussian", "gaussian-mlp-std", "categorical"];

    /// <summary>Initial parameters plus N(0, scale²) noise, so that biases and log-stds are not at special values.</summary>
    public static double[] Theta(IDifferentiablePolicy policy, Random rng, double scale = 0.3)
    {
        double[] theta = policy.InitialParameters(rng);
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] += scale * BoMrl.Numerics.Seeds.NextGaussian(rng);
        }

        return theta;
    }

    /// <summary>A random batch: N(0,1) observations, actions drawn from a perturbed policy, random advantages and weights.</summary>
    public static PolicyBatch Batch(IDifferentiablePolicy policy, int rows, Random rng)
    {
        int obs = policy.ObservationSize, act = policy.ActionSize;
        var o = new double[obs * rows];
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = BoMrl.Numerics.Seeds.NextGaussian(rng);
        }

        var a = new double[act * rows];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = policy is CategoricalMlpPolicy c ? rng.Next(c.ActionCount) : BoMrl.Numerics.Seeds.NextGaussian(rng);
        }

        var adv = new double[rows];
        var w = new double[rows];
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            adv[r] = BoMrl.Numerics.Seeds.NextGaussian(rng);
            w[r] = 0.5 + rng.NextDouble();
            total += w[r];
        }

        for (int r = 0; r < rows; r++)
        {
            w[r] /= total;
        }

        return new PolicyBatch(rows, obs, act, o, a, adv, w);
    }

    /// <summary>Distribution parameters of π_θ on the batch rows (a fresh array).</summary>
    public static double[] Dists(IDifferentiablePolicy policy, double[] theta, PolicyBatch batch)
    {
        var d = new double[policy.Distribution.ParameterSize * batch.Rows];
        new BatchObjectives(policy).Distributions(theta, batch, d);
        return d;
    }

    /// <summary>log π_θ(a_r|s_r) on the batch rows.</summary>
    public static double[] LogProbs(IDifferentiablePolicy policy, double[] theta, PolicyBatch batch)
    {
        var l = new double[batch.Rows];
        new BatchObjectives(policy).LogProbs(theta, batch, l);
        return l;
    }
}
