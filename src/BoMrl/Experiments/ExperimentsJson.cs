using System.Text.Json.Serialization;

namespace BoMrl.Experiments;

/// <summary>
/// Source-generated JSON metadata of the run-folder files (checkpoints, test.json): snake_case keys,
/// indented output, comments and trailing commas accepted on input, NaN/∞ written as named literals (a metric can be
/// NaN when a step is rejected) and unknown members rejected.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(Checkpoint))]
[JsonSerializable(typeof(MetaTestReport))]
internal sealed partial class ExperimentsJson : JsonSerializerContext;

/// <summary>
/// JSON options of <see cref="TrainConfig"/>: the same conventions as <see cref="ExperimentsJson"/>, but
/// reflection-based, because the source generator sets init-only properties through a constructor-like path that
/// replaces missing keys by default(T) instead of the properties' initialisers (the config's defaults).
/// </summary>
internal static class ConfigJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<TrainConfig> TrainConfig { get; } =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<TrainConfig>)Options.GetTypeInfo(typeof(TrainConfig));
}
