using System.Text.Json.Serialization;

namespace BoMrl.Studies;

/// <summary>Task-expected optimality gaps E_τ[J(π*_τ) − J(π)] on the held-out tasks (the right panel of Figures 1/3/4).</summary>
public sealed record OptimalityGaps(double NoAdaptation, double BomrlOneStep, double MamlOneStep);

/// <summary>Mean return over the test tasks after 0..K adaptation steps, per method, and the optimal policies' return.</summary>
public sealed record ReturnsByStep(double[] Bomrl, double[] Maml, double[] Random, double Optimal, double OptimalBounded,
    double[] BomrlStderr, double[] MamlStderr, double[] RandomStderr);

/// <summary>Analytic hypergradient of F at the final φ against central finite differences of F over all coordinates.</summary>
public sealed record HypergradientCheck(double MaxRelError, double GradientNorm, double Step, string Definition);

/// <summary>
/// Everything <c>bomrl frozenlake</c> writes to summary.json; with a meta-learned λ also its final value and its value
/// at each iteration (absent otherwise). The bounds are evaluated at the configured λ.
/// </summary>
public sealed record FrozenLakeSummary(
    string Distance,
    double Lambda,
    double Gamma,
    int Size,
    double HoleProb,
    string VariancePreset,
    bool Slippery,
    string Q,
    long Seed,
    double Epsilon,
    double AMax,
    double AMaxCenter,
    double Variance,
    bool VarianceMinimizerConverged,
    double Bound,
    double BoundWithAMax,
    double LambdaCondition,
    bool LambdaMeetsCondition,
    double BoundAtConditionLambda,
    OptimalityGaps Teog,
    ReturnsByStep ReturnsByStep,
    HypergradientCheck HypergradientCheck,
    bool BomrlReturnsNonDecreasing,
    double MamlStepSize,
    double ParameterBound,
    int Iterations,
    double MetaLearningRate,
    int TasksPerIteration,
    int RolloutsPerPair,
    int Horizon,
    long Samples,
    double[] BomrlTrainingCurve,
    double[] MamlTrainingCurve,
    string[] TrainMaps,
    string[] TestMaps,
    double[] VarianceMinimizer,
    double Seconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? LearnedLambda = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? LambdaCurve = null);

/// <summary>JSON (snake_case, indented) for the experiment records, by source generation.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(FrozenLakeSummary))]
[JsonSerializable(typeof(FrozenLakeExperimentConfig))]
public sealed partial class FrozenLakeJsonContext : JsonSerializerContext;
