using System.Text.Json.Serialization;

namespace BoMrl.Runs;

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
internal sealed partial class RunFilesJson : JsonSerializerContext;
