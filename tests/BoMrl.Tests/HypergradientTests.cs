using System.Numerics.Tensors;
using BoMrl.Adaptation;
using BoMrl.DistanceKinds;
using BoMrl.Meta;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>
/// The hypergradient of eq. (8) against central finite differences of φ ↦ J(θ'(φ)) on contextual bandits where J is
/// exact and the batch fixed (item 9): the inner problem is solved by Newton's method to ‖∇_θL‖ ≈ 1e-13, so the
/// implicit-function derivative is exact and the two sides must agree to 1e-6.
/// </summary>
public class HypergradientTests
{
    /// <summary>
    /// Exact post-adaptation objective of a Gaussian-action contextual bandit on fixed states with quadratic reward
    /// −‖a − c(s)‖²: J(θ) = mean_s[−‖μ_θ(s) − c(s)‖² − Σ σ_θ(s)²].
    /// </summary>
    internal sealed class ExactBandit
    {
        private readonly IDifferentiablePolicy _policy;
        private readonly PolicyBatch _states;
        private readonly double[] _target;

        public ExactBandit(IDifferentiablePolicy policy, Random rng, int rows = 25)
        {
            _policy = policy;
            _states = TinyPolicies.Batch(policy, rows, rng);
            _target = new double[policy.ActionSize * rows];
            for (int i = 0; i < _target.Length; i++)
            {
                _target[i] = 0.5 * rng.NextGaussian();
            }
        }

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            int rows = _states.Rows, p = _policy.Distribution.ParameterSize;
            var dist = new double[p * rows];
            var ws = new double[_policy.WorkspaceSize(rows)];
            _policy.Forward(theta, _states.Observations, rows, dist, ws);
            var dDist = new double[p * rows];
            double j = 0;
            int a = _policy.ActionSize;
            for (int i = 0; i < a; i++)
            {
                for (int r = 0; r < rows; r++)
                {
                    double d = dist[i * rows + r] - _target[i * rows + r];
                    double var = Math.Exp(2 * dist[(a + i) * rows + r]);
                    j -= (d * d + var) / rows;
                    dDist[i * rows + r] = -2 * d / rows;
                    dDist[(a + i) * rows + r] = -2 * var / rows;
                }
            }

            if (!gradient.IsEmpty)
            {
                _policy.Backward(theta, _states.Observations, rows, ws, dDist, gradient, new double[_policy.BackwardScratchSize(rows)]);
            }

            return j;
        }
    }

    /// <summary>
    /// Newton's method on L from <paramref name="start"/> until ‖∇_θL‖ ≤ 1e-12 (CG on H = −∇²L; Levenberg damping only
    /// while H is indefinite far from the maximum, so the last steps are pure Newton).
    /// </summary>
    internal static double[] SolveExactly(InnerObjective inner, BatchObjectives ev, double[] start)
    {
        int n = start.Length;
        double[] theta = (double[])start.Clone();
        var g = new double[n];
        var d = new double[n];
        var cg = new ConjugateGradient(n);
        double damping = 0;
        for (int it = 0; it < 80; it++)
        {
            inner.Gradient(ev, theta, g);
            if (TensorPrimitives.Norm<double>(g) <= 1e-12)
            {
                return theta;
            }

            CgResult r = cg.Solve((v, hv) => inner.NegativeHessianProduct(ev, theta, v, hv), g, d, 4 * n, damping, 1e-14);
            if (r.NegativeCurvature)
            {
                damping = Math.Max(1e-2, 4 * damping);
                continue;
            }

            damping /= 4;
            damping = damping < 1e-6 ? 0 : damping;

            // Far from the maximum, backtracking keeps every step an ascent step (D1 is not jointly convex, so full
            // steps can overshoot); close to it, full Newton steps converge quadratically and rounding would stall a search.
            double current = inner.Value(ev, theta), t = 1;
            var trial = new double[n];
            TensorPrimitives.Add(theta, d, trial);
            bool far = TensorPrimitives.Norm<double>(g) > 1e-6, accepted = !far;
            for (int k = 0; far && k < 20; k++, t /= 2)
            {
                TensorPrimitives.MultiplyAdd(d, t, theta, trial);
                double value = inner.Value(ev, trial);
                if (double.IsFinite(value) && value >= current)
                {
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                damping = Math.Max(1e-2, 4 * damping);
                continue;
            }

            trial.CopyTo(theta, 0);
        }

        inner.Gradient(ev, theta, g);
        Assert.Fail($"Newton did not converge: ‖∇L‖ = {TensorPrimitives.Norm<double>(g):E2}{TestSeed.Note}");
        return theta;
    }

    /// <summary>
    /// Cases where θ'(φ) is a strict local maximum, so dθ'/dφ exists. Not here: the first-order surrogate with a KL
    /// distance (with tanh networks L is unbounded above along saturating directions, so no maximiser exists), and
    /// categorical policies (logits shifted by a state-dependent constant leave π unchanged, so H is singular and
    /// only the damped solve of the practical algorithm is defined).
    /// </summary>
    public static TheoryData<string, string, double> Cases() => new()
    {
        { "kl1", "h-clipped", 4.0 },
        { "kl2", "h-clipped", 4.0 },
        { "l2", "h-clipped", 1.0 },
        { "kl2", "ratio", 4.0 },
        { "l2", "first-order", 5.0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hypergradient_eq8_matches_finite_differences_of_the_adapted_return(string distance, string surrogate, double lambda)
    {
        var policy = new GaussianMlpPolicy(2, 1, [2], LogStdMode.Parameter, -0.3);
        Assert.True(DistanceNames.TryParse(distance, out Distance d));
        Assert.True(SurrogateNames.TryParse(surrogate, out SurrogateKind s));
        var options = new AdaptationOptions(d, s, lambda);
        Random rng = TestSeed.Rng(31, distance.Length, surrogate.Length, (long)lambda);
        double[] phi = TinyPolicies.Theta(policy, rng, 0.2);
        // 80 states for 10 parameters and advantages of scale 0.3 keep L strongly concave near θ' (the implicit
        // function theorem needs H = −∇²_θL positive definite; tiny nets have ill-conditioned Fisher matrices).
        PolicyBatch batch = TinyPolicies.Batch(policy, 80, rng);
        for (int r = 0; r < batch.Rows; r++)
        {
            batch.Advantages[r] *= 0.3;
        }

        var ev = new BatchObjectives(policy);
        double[] behaviour = TinyPolicies.LogProbs(policy, phi, batch); // fixed data: the batch was collected by π_φ
        var bandit = new ExactBandit(policy, rng);

        var inner = new InnerObjective(ev, batch, options, phi, behaviour);
        double[] thetaPrime = SolveExactly(inner, ev, phi);
        var gPrime = new double[phi.Length];
        bandit.Evaluate(thetaPrime, gPrime);
        var hypergradient = new double[phi.Length];
        var exact = new HypergradientOptions(CgIterations: 10 * phi.Length, Damping: 0, Tolerance: 1e-14, CentralDifferences: true);
        CgResult cg = new Hypergradient(phi.Length, exact).TransposeProduct(inner, ev, thetaPrime, gPrime, hypergradient).Cg;
        Assert.False(cg.NegativeCurvature);
        var fast = new double[phi.Length];
        new Hypergradient(phi.Length, exact with { CentralDifferences = false }).TransposeProduct(inner, ev, thetaPrime, gPrime, fast);

        double AdaptedReturn(double[] p)
        {
            var objective = new InnerObjective(ev, batch, options, p, behaviour);
            return bandit.Evaluate(SolveExactly(objective, ev, thetaPrime), []);
        }

        double[] fd = FiniteDifferences.Gradient(AdaptedReturn, phi);
        double err = FiniteDifferences.RelativeError(hypergradient, fd);
        double errFast = FiniteDifferences.RelativeError(fast, fd);
        Console.WriteLine($"hypergradient {distance} {surrogate}: {err:E2}, forward-difference H·v {errFast:E2} (CG {cg.Iterations} its, residual {cg.RelativeResidual:E1})");
        Assert.True(err <= 1e-6, $"{distance} {surrogate}: relative error {err:E2}{TestSeed.Note}");
        // The production path (forward-difference H·v, ~8 digits per product) loses what the conditioning of H costs.
        Assert.True(errFast <= 1e-4, $"{distance} {surrogate}: forward-difference relative error {errFast:E2}{TestSeed.Note}");
    }

    [Fact]
    public void First_order_surrogate_with_D3_is_MAMLs_policy_gradient_step_and_meta_gradient()
    {
        var policy = new GaussianMlpPolicy(2, 2, [4], LogStdMode.Parameter, -0.5);
        Random rng = TestSeed.Rng(32);
        double[] phi = TinyPolicies.Theta(policy, rng, 0.2);
        PolicyBatch batch = TinyPolicies.Batch(policy, 30, rng);
        var ev = new BatchObjectives(policy);
        const double alpha = 0.1;
        int n = phi.Length;

        // Inner step: the closed form equals φ + α ĝ and Adam on the same objective converges to it.
        var options = AdaptationOptions.PolicyGradientStep(alpha);
        var thetaPrime = new double[n];
        AdaptationResult result = new SampledAdaptation(options, n).Adapt(ev, batch, phi, thetaPrime);
        var gHat = new double[n];
        ev.PolicyGradientObjective(phi, batch, gHat);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(phi[i] + alpha * gHat[i], thetaPrime[i], 14);
        }

        var adamTheta = new double[n];
        new SampledAdaptation(options with { Iterations = 2000, LearningRate = 0.002 }, n).AdaptIteratively(ev, batch, phi, adamTheta);
        Assert.True(FiniteDifferences.RelativeError(adamTheta, thetaPrime) < 1e-3,
            $"Adam {FiniteDifferences.RelativeError(adamTheta, thetaPrime):E2} away from the closed form");
        Assert.True(result.Objective.Value(ev, thetaPrime) >= result.Objective.Value(ev, adamTheta));

        // Meta-gradient: Cᵀ H⁻¹ g' with H = 2λI equals MAML's (I + α ∇²_φ Σ w Â log π_φ) g'.
        var gPrime = new double[n];
        for (int i = 0; i < n; i++)
        {
            gPrime[i] = rng.NextGaussian();
        }

        var meta = new double[n];
        var solver = new Hypergradient(n, new HypergradientOptions(CgIterations: 5, Damping: 0, CentralDifferences: true));
        CgResult cg = solver.TransposeProduct(result.Objective, ev, thetaPrime, gPrime, meta).Cg;
        Assert.True(cg.Converged && cg.Iterations == 1, $"H = 2λI must be solved in one CG iteration: {cg}");
        var hg = new double[n];
        HessianVector.CentralDifference((p, g) => ev.PolicyGradientObjective(p, batch, g), phi, gPrime, hg, new double[2 * n]);
        var maml = new double[n];
        for (int i = 0; i < n; i++)
        {
            maml[i] = gPrime[i] + alpha * hg[i];
        }

        // ∇²_φ products inside C are forward differences (~8 digits).
        Assert.True(FiniteDifferences.RelativeError(meta, maml) < 1e-6, $"{FiniteDifferences.RelativeError(meta, maml):E2}");
    }

    [Theory]
    [InlineData("kl1")]
    [InlineData("kl2")]
    [InlineData("l2")]
    public void Adam_inner_adaptation_increases_the_objective_from_the_meta_policy(string distance)
    {
        var policy = new GaussianMlpPolicy(2, 2, [8, 8]);
        Random rng = TestSeed.Rng(33, distance.Length);
        double[] phi = policy.InitialParameters(rng);
        PolicyBatch batch = TinyPolicies.Batch(policy, 200, rng);
        var ev = new BatchObjectives(policy);
        Assert.True(DistanceNames.TryParse(distance, out Distance d));
        var options = new AdaptationOptions(d, SurrogateKind.HClipped, distance == "l2" ? 0.04 : 0.5);
        var theta = new double[phi.Length];
        AdaptationResult r = new SampledAdaptation(options, phi.Length).Adapt(ev, batch, phi, theta);
        double atPhi = r.Objective.Value(ev, phi), atTheta = r.Objective.Value(ev, theta);
        Assert.True(atTheta > atPhi + 1e-3, $"L(θ') = {atTheta} not above L(φ) = {atPhi}{TestSeed.Note}");
    }
}
