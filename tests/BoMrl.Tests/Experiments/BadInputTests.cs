// Over 300 lines on purpose: one table of every bad input of every verb (and the one test that runs it), so a new
// refusal is one row beside its kind.
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BoMrl.Cli;
using BoMrl.IO;
using BoMrl.Meta;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// Every kind of bad input — config keys and values, CLI options, empty paths, corrupted or truncated checkpoints,
/// occupied, foreign, missing or looping run folders — gives its exit code, exactly one line on stderr without a stack
/// frame or an exception's type name, and leaves every file of the run folders as it was (no .lock left behind either).
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string GoodConfig = """
        { "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "kl2" },
          "iterations": 4, "seed": 5, "checkpoint_every": 2, "test": { "steps": 2, "tasks": 7 } }
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-bad-").FullName;

    public BadInputTests()
    {
        File.WriteAllText(P("good.json"), GoodConfig);
        Assert.Equal(0, Cli("train", "--config", P("good.json"), "--out", P("run")).Code);
        Directory.CreateDirectory(P("fl"));
        File.WriteAllText(P("fl", "summary.json"), "{}");
        File.WriteAllText(P("fl", "run.json"), """{ "kind": "frozenlake", "finished": true }""");
        Directory.CreateDirectory(P("other"));
        File.WriteAllText(P("other", "notes.txt"), "mine");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    private static (int Code, string Out, string Err) Cli(params string[] args) => Cli(CancellationToken.None, args);

    private static (int Code, string Out, string Err) Cli(CancellationToken token, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var ctx = new CliContext(stdout, stderr, c => new FakeMetaLearner(c.Seed)) { Cancellation = token };
        int code = Program.Run(args, ctx);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>SHA-256 of every file under the folders (path → hash).</summary>
    private Dictionary<string, string> Hashes() =>
        new[] { P("run"), P("fl"), P("other") }
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => Path.GetFileName(f) != RunLock.PidFileName) // the .lock file counts: a refused run must not leave one
            .ToDictionary(f => f, f => Path.GetFileName(f) == RunLock.FileName ? "(lock)" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>Edits the latest checkpoint of a copy of the trained run.</summary>
    private string CorruptCopy(string name, Action<JsonObject> edit)
    {
        string dir = P(name);
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
        File.Copy(P("run", "config.json"), Path.Combine(dir, "config.json"));
        File.Copy(P("run", "run.json"), Path.Combine(dir, "run.json"));
        var json = JsonNode.Parse(File.ReadAllText(P("run", "checkpoints", "latest.json")))!.AsObject();
        edit(json);
        File.WriteAllText(Path.Combine(dir, "checkpoints", "latest.json"), json.ToJsonString());
        return dir;
    }

    private string Config(string name, string json)
    {
        File.WriteAllText(P(name), json);
        return P(name);
    }

    /// <summary>Case name → (arguments, expected exit code, a fragment of the one-line message).</summary>
    private (string[] Args, int Code, string Fragment) Case(string name) => name switch
    {
        // Config keys and values.
        "unknown key" => (Train(Config("c.json", """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "horizn": 5 } }""")), 2, "unknown config key 'sampler.horizn'"),
        "wrong type" => (Train(Config("c.json", """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "lambda": "big" } }""")), 2, "'algorithm.lambda' must be a number"),
        "not json" => (Train(Config("c.json", "{ env: ")), 2, "not valid JSON"),
        "gamma out of range" => (Train(Config("c.json", """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "gamma": 1.5 } }""")), 2, "sampler.gamma"),
        "negative checkpoint_every" => (Train(Config("c.json", """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "checkpoint_every": -1 }""")), 2, "checkpoint_every"),
        "meta batch too large" => (Train(Config("c.json", """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "meta_batch_size": 2000000000 } }""")), 2, "needs at least"),
        "horizon overflows" => (Train(Config("c.json", """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "horizon": 2000000000 } }""")), 2, "exceed what one task's batch can index"),
        "config is a folder" => (["train", "--config", _root, "--out", P("new")], 2, "it is a folder"),
        "env.assembly missing" => (Train(Config("c.json", """{ "env": { "name": "mine", "assembly": "nope/Mine.dll" }, "algorithm": { "name": "bomrl" } }""")), 2, "config key 'env.assembly': no such assembly"),
        "env.assembly not .NET" => (Train(Config("c.json", """{ "env": { "name": "mine", "assembly": "good.json" }, "algorithm": { "name": "bomrl" } }""")), 2, "is not a .NET assembly"),
        "env.assembly without families" => (Train(Config("c.json", $$"""{ "env": { "name": "mine", "assembly": "{{typeof(System.Text.Json.JsonSerializer).Assembly.Location}}" }, "algorithm": { "name": "bomrl" } }""")), 2, "defines no public ITaskFamily"),
        "config missing" => (["train", "--config", P("nope.json"), "--out", P("new")], 2, "no such file"),

        // Command-line options.
        "no verb" => ([], 2, "the verbs are train, test"),
        "unknown verb" => (["trian"], 2, "unknown verb 'trian'; the verbs are train"),
        "integer expected" => (["train", "--config", P("good.json"), "--out", P("new"), "--iterations", "abc"], 2, "--iterations expects an integer, got 'abc'"),
        "number expected" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--lambda", "x", "--out", P("new")], 2, "--lambda expects a number"),
        "boolean expected" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--slippery", "maybe", "--out", P("new")], 2, "--slippery expects true or false, got 'maybe'"),
        "negative iterations" => (["train", "--config", P("good.json"), "--out", P("new"), "--iterations", "-5"], 2, "--iterations must be"),
        "frozenlake negative iterations" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--iterations", "-5", "--out", P("new")], 2, "--iterations must not be negative"),
        "negative threads" => (["train", "--config", P("good.json"), "--out", P("new"), "--threads", "-1"], 2, "--threads"),
        "resume and force" => (["train", "--out", P("run"), "--resume", "--force"], 2, "pass one of them"),
        "frozenlake size overflows" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--size", "1000", "--out", P("new")], 2, "more than an array can index"),
        "frozenlake size too large" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--size", "100", "--out", P("new")], 2, "needs at least"),
        "test tasks zero" => (["test", "--run", P("run"), "--tasks", "0"], 2, "--tasks must be positive"),
        "test iteration not kept" => (["test", "--run", P("run"), "--iteration", "3"], 2, "kept: 0, 2, 4"),
        "compare not png" => (["compare", "--runs", P("run"), "--out", P("c.svg")], 2, ".png"),

        // export: options, runs and checkpoints (never writing --out).
        "export unknown format" => (Export(P("run"), "--format", "xml"), 2, "--format must be onnx or json (got 'xml')"),
        "export --out empty" => (["export", "--run", P("run"), "--format", "onnx", "--out", ""], 2, "--out is empty; give a file to write"),
        "export --run empty" => (["export", "--run", "", "--format", "onnx", "--out", P("exported")], 2, "--run is empty; give a folder"),
        "export into a missing folder" => (["export", "--run", P("run"), "--format", "onnx", "--out", P("nope", "p.onnx")], 2, $"--out: no such folder {P("nope")}"),
        "export onto a folder" => (["export", "--run", P("run"), "--format", "onnx", "--out", P("other")], 2, "is a folder; give a file to write"),
        "export a missing run" => (Export(P("nope"), "--format", "onnx"), 2, $"--run: no such folder {P("nope")}"),
        "export a frozenlake run" => (Export(P("fl"), "--format", "json"), 2, "holds a frozenlake run, not a train run"),
        "export iteration not kept" => (Export(P("run"), "--format", "onnx", "--iteration", "3"), 2, "kept: 0, 2, 4"),
        "export precision of json" => (Export(P("run"), "--format", "json", "--precision", "float32"), 2, "--precision applies to --format onnx only"),
        "export unknown precision" => (Export(P("run"), "--format", "onnx", "--precision", "half"), 2, "--precision must be float64 or float32"),
        "export phi of another shape" => (Export(P("run"), "--format", "onnx"), 2, "field 'phi' has 5 values but the config's policy has"),
        "export phi NaN" => (Export(CorruptCopy("nan", c => c["phi"]![1] = "NaN"), "--format", "json"), 2, "field 'phi[1]' is NaN"),
        "export checkpoint of 0 bytes" => (Export(Truncated("empty", "latest.json"), "--format", "onnx"), 2, "latest.json is empty (0 bytes)"),
        "export --seed without --adapt-to" => (Export(P("run"), "--format", "json", "--seed", "4"), 2, "--seed applies only with --adapt-to"),
        "export --adapt-steps without --adapt-to" => (Export(P("run"), "--format", "json", "--adapt-steps", "2"), 2, "--adapt-steps applies only with --adapt-to"),
        "export --adapt-steps zero" => (Export(P("run"), "--format", "json", "--adapt-to", "0.1,0.2", "--adapt-steps", "0"), 2, "--adapt-steps must be 1 or more (got 0)"),
        "export --seed not an integer" => (Export(P("run"), "--format", "json", "--adapt-to", "0.1,0.2", "--seed", "x"), 2, "--seed expects an integer"),
        "export --adapt-to empty" => (Export(P("run"), "--format", "json", "--adapt-to", ""), 2, "--adapt-to is empty"),
        "export --adapt-to malformed" => (Export(P("run"), "--format", "json", "--adapt-to", "0.3;-0.2"), 2, "'0.3;-0.2' in '0.3;-0.2' is not a number"),
        "export --adapt-to empty entry" => (Export(P("run"), "--format", "json", "--adapt-to", "0.3,,-0.2"), 2, "'' in '0.3,,-0.2' is not a number"),
        "export --adapt-to wrong count" => (Export(P("run"), "--format", "json", "--adapt-to", "0.3"), 2, "--adapt-to: a navigation2d task (the goal x,y) has 2 numbers, got 1"),
        "export --adapt-to NaN" => (Export(P("run"), "--format", "json", "--adapt-to", "NaN,0"), 2, "has finite numbers only, got NaN as number 1"),
        "export --adapt-to overflow" => (Export(P("run"), "--format", "json", "--adapt-to", "0,1e999"), 2, "has finite numbers only, got Infinity as number 2"),
        "export --adapt-to a frozenlake run" => (Export(P("fl"), "--format", "json", "--adapt-to", "0.1,0.2"), 2, "holds a frozenlake run, not a train run"),
        "export --adapt-to without adaptation" => (Export(P("run"), "--format", "json", "--adapt-to", "0.1,0.2"), 2, "fake has no per-task adaptation to export"),

        // Corrupted checkpoints, through test and through --resume.
        "phi NaN (test)" => (["test", "--run", CorruptCopy("nan", c => c["phi"]![1] = "NaN")], 2, "field 'phi[1]' is NaN"),
        "phi NaN (resume)" => (["train", "--out", CorruptCopy("nan", c => c["phi"]![1] = "NaN"), "--resume", "--iterations", "6"], 2, "field 'phi[1]' is NaN"),
        "phi missing" => (["test", "--run", CorruptCopy("nophi", c => c.Remove("phi"))], 2, "field 'phi' is missing"),
        "optimizer infinite" => (["train", "--out", CorruptCopy("inf", c => c["optimizer_state"]![0] = "Infinity"), "--resume", "--iterations", "6"], 2, "optimizer_state[0]"),
        "metrics rows missing" => (["test", "--run", CorruptCopy("rows", c => c["completed_iterations"] = 9)], 2, "'metrics' has 4 rows"),
        "phi of another shape" => (["test", "--run", CorruptCopy("shape", c => c["phi"] = new JsonArray(1.0, 2.0, 3.0))], 2, "'phi' has 3 values"),

        // Occupied folders.
        "train into a run" => (Train(P("good.json"), P("run")), 2, "already holds a run"),
        "frozenlake into a train run" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--out", P("run")], 2, "holds a train run"),
        "train into a frozenlake run" => (Train(P("good.json"), P("fl")), 2, "holds a frozenlake run"),
        "frozenlake into a finished one" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--out", P("fl")], 2, "finished frozenlake run"),
        "train into a foreign folder" => (Train(P("good.json"), P("other")), 2, "holds no bomrl run"),
        "resume a frozenlake run" => (["train", "--out", P("fl"), "--resume"], 2, "no checkpoint"),
        "test a frozenlake run" => (["test", "--run", P("fl")], 2, "not a train run"),
        "frozenlake into a foreign folder" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--out", P("other")], 2, "holds no bomrl run"),

        // Empty paths and values: every verb, every path option.
        "train --out empty" => (Train(P("good.json"), ""), 2, "--out is empty; give a folder"),
        "resume --out empty" => (["train", "--out", "", "--resume"], 2, "--out is empty; give a folder"),
        "train --config empty" => (["train", "--config", "", "--out", P("new")], 2, "--config is empty; give a JSON config file"),
        "train --tls empty" => ([.. Train(P("good.json")), "--cluster", "redis://127.0.0.1:1", "--tls", ""], 2, "--tls is empty"),
        "test --run empty" => (["test", "--run", ""], 2, "--run is empty; give a folder"),
        "compare --runs empty" => (["compare", "--runs", P("run"), "", "--out", P("c.png")], 2, "--runs is empty; give a folder"),
        "compare --out empty" => (["compare", "--runs", P("run"), "--out", ""], 2, "--out is empty; give a .png file"),
        "frozenlake --out empty" => (["frozenlake", "--variance", "high", "--distance", "kl1", "--out", ""], 2, "--out is empty; give a folder"),
        "reproduce --out empty" => (["reproduce", "frozenlake", "--out", ""], 2, "--out is empty; give a folder"),
        "locomotion --seeds empty" => (["reproduce", "locomotion", "--env", "halfcheetah-vel", "--seeds", "", "--out", P("new")], 2, "--seeds is empty"),
        "worker --tls empty" => (["worker", "--cluster", "redis://127.0.0.1:1", "--tls", ""], 2, "--tls is empty"),
        "locomotion duplicate method" => (["reproduce", "locomotion", "--env", "halfcheetah-vel", "--methods", "maml-trpo,maml-trpo", "--out", P("new")], 2, "expected distinct"),
        "test steps zero" => (["test", "--run", P("run"), "--steps", "0"], 2, "--steps must be positive"),
        "iterations beyond int" => (["train", "--config", P("good.json"), "--out", P("new"), "--iterations", "100000000000"], 2, "--iterations expects an integer"),

        // Foreign, missing and odd files and folders.
        "compare a missing run" => (["compare", "--runs", P("run"), P("nope1"), "--out", P("c.png")], 2, $"{P("nope1")} does not exist"),
        "compare a file" => (["compare", "--runs", P("good.json"), "--out", P("c.png")], 2, "is a file, not a run folder"),
        "config nested too deeply" => (Train(Config("c.json", string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100))), 2, "nested 100 levels deep; the limit is 64"),
        "config is an array" => (Train(Config("c.json", "[1, 2]")), 2, "a config must be a JSON object"),
        "config is null" => (Train(Config("c.json", "null")), 2, "a config must be a JSON object"),
        "config not UTF-8" => (Train(Bytes("c.json", [.. "{ \"env\": { \"name\": \"nav"u8, 0xFF, 0xFE, .. "\" } }"u8])), 2, "not UTF-8 text (an invalid byte at offset"),
        "config a symlink loop" => (Train(Loop("loop.json")), 2, "too many levels of symbolic links"),
        "out is a file" => (Train(P("good.json"), P("good.json")), 2, "it is a file, not a folder"),
        "out is a symlink loop" => (Train(P("good.json"), Loop("loop")), 2, "a symbolic link that leads nowhere"),
        "test run is a file" => (["test", "--run", P("good.json")], 2, "is a file, not a run folder"),
        "checkpoint of 0 bytes (test)" => (["test", "--run", Truncated("empty", "latest.json")], 2, "latest.json is empty (0 bytes), not a checkpoint; copy a kept one"),
        "checkpoint of 0 bytes (resume)" => (["train", "--out", Truncated("empty", "latest.json"), "--resume", "--iterations", "6"], 2, "is empty (0 bytes)"),
        "kept checkpoint of 0 bytes" => (["test", "--run", Truncated("empty", "iteration-0002.json"), "--iteration", "2"], 2, "iteration-0002.json is empty (0 bytes)"),
        "checkpoint cut short" => (["test", "--run", Truncated("cut", "latest.json", 200)], 2, "is not a valid checkpoint: not valid JSON (line"),
        "metrics.csv cut short" => (["compare", "--runs", CutMetrics("torn"), "--metric", "kl", "--out", P("m.png")], 2, "columns (cut short?)"),
        _ => throw new ArgumentException(name),
    };

    private string Bytes(string name, byte[] bytes)
    {
        File.WriteAllBytes(P(name), bytes);
        return P(name);
    }

    /// <summary>A symbolic link loop: name → name.2 → name.</summary>
    private string Loop(string name)
    {
        File.CreateSymbolicLink(P(name), P(name + ".2"));
        File.CreateSymbolicLink(P(name + ".2"), P(name));
        return P(name);
    }

    /// <summary>A copy of the trained run whose checkpoints/<paramref name="file"/> keeps only its first <paramref name="bytes"/> bytes.</summary>
    private string Truncated(string name, string file, int bytes = 0)
    {
        CopyRun(name);
        string path = P(name, "checkpoints", file);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..bytes]);
        return P(name);
    }

    /// <summary>A copy of the trained run whose metrics.csv ends in the middle of its second row (a hand copy cut short).</summary>
    private string CutMetrics(string name)
    {
        CopyRun(name);
        string[] lines = File.ReadAllLines(P(name, "metrics.csv"));
        File.WriteAllText(P(name, "metrics.csv"), $"{lines[0]}\n{lines[1]}\n{lines[2][..(lines[2].Length / 3)]}");
        return P(name);
    }

    private void CopyRun(string name)
    {
        foreach (string f in Directory.EnumerateFiles(P("run"), "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            string target = P(name, Path.GetRelativePath(P("run"), f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    private string[] Export(string run, params string[] rest) => ["export", "--run", run, .. rest, "--out", P("exported")];

    private string[] Train(string config, string? output = null) => ["train", "--config", config, "--out", output ?? P("new")];

    [Theory]
    [InlineData("unknown key")]
    [InlineData("wrong type")]
    [InlineData("not json")]
    [InlineData("gamma out of range")]
    [InlineData("negative checkpoint_every")]
    [InlineData("meta batch too large")]
    [InlineData("horizon overflows")]
    [InlineData("config is a folder")]
    [InlineData("env.assembly missing")]
    [InlineData("env.assembly not .NET")]
    [InlineData("env.assembly without families")]
    [InlineData("config missing")]
    [InlineData("no verb")]
    [InlineData("unknown verb")]
    [InlineData("integer expected")]
    [InlineData("number expected")]
    [InlineData("boolean expected")]
    [InlineData("negative iterations")]
    [InlineData("frozenlake negative iterations")]
    [InlineData("negative threads")]
    [InlineData("resume and force")]
    [InlineData("frozenlake size overflows")]
    [InlineData("frozenlake size too large")]
    [InlineData("test tasks zero")]
    [InlineData("test iteration not kept")]
    [InlineData("compare not png")]
    [InlineData("phi NaN (test)")]
    [InlineData("phi NaN (resume)")]
    [InlineData("phi missing")]
    [InlineData("optimizer infinite")]
    [InlineData("metrics rows missing")]
    [InlineData("phi of another shape")]
    [InlineData("train into a run")]
    [InlineData("frozenlake into a train run")]
    [InlineData("train into a frozenlake run")]
    [InlineData("frozenlake into a finished one")]
    [InlineData("train into a foreign folder")]
    [InlineData("resume a frozenlake run")]
    [InlineData("test a frozenlake run")]
    [InlineData("frozenlake into a foreign folder")]
    [InlineData("train --out empty")]
    [InlineData("resume --out empty")]
    [InlineData("train --config empty")]
    [InlineData("train --tls empty")]
    [InlineData("test --run empty")]
    [InlineData("compare --runs empty")]
    [InlineData("compare --out empty")]
    [InlineData("frozenlake --out empty")]
    [InlineData("reproduce --out empty")]
    [InlineData("locomotion --seeds empty")]
    [InlineData("worker --tls empty")]
    [InlineData("locomotion duplicate method")]
    [InlineData("test steps zero")]
    [InlineData("iterations beyond int")]
    [InlineData("compare a missing run")]
    [InlineData("compare a file")]
    [InlineData("config nested too deeply")]
    [InlineData("config is an array")]
    [InlineData("config is null")]
    [InlineData("config not UTF-8")]
    [InlineData("config a symlink loop")]
    [InlineData("out is a file")]
    [InlineData("out is a symlink loop")]
    [InlineData("test run is a file")]
    [InlineData("checkpoint of 0 bytes (test)")]
    [InlineData("checkpoint of 0 bytes (resume)")]
    [InlineData("kept checkpoint of 0 bytes")]
    [InlineData("checkpoint cut short")]
    [InlineData("metrics.csv cut short")]
    [InlineData("export unknown format")]
    [InlineData("export --out empty")]
    [InlineData("export --run empty")]
    [InlineData("export into a missing folder")]
    [InlineData("export onto a folder")]
    [InlineData("export a missing run")]
    [InlineData("export a frozenlake run")]
    [InlineData("export iteration not kept")]
    [InlineData("export precision of json")]
    [InlineData("export unknown precision")]
    [InlineData("export phi of another shape")]
    [InlineData("export phi NaN")]
    [InlineData("export checkpoint of 0 bytes")]
    [InlineData("export --seed without --adapt-to")]
    [InlineData("export --adapt-steps without --adapt-to")]
    [InlineData("export --adapt-steps zero")]
    [InlineData("export --seed not an integer")]
    [InlineData("export --adapt-to empty")]
    [InlineData("export --adapt-to malformed")]
    [InlineData("export --adapt-to empty entry")]
    [InlineData("export --adapt-to wrong count")]
    [InlineData("export --adapt-to NaN")]
    [InlineData("export --adapt-to overflow")]
    [InlineData("export --adapt-to a frozenlake run")]
    [InlineData("export --adapt-to without adaptation")]
    public void Bad_input_gives_its_exit_code_one_line_and_changes_no_file(string name)
    {
        (string[] args, int code, string fragment) = Case(name);
        Dictionary<string, string> before = Hashes();
        var r = Cli(args);
        string err = r.Err.TrimEnd();
        Assert.True(code == r.Code, $"{name}: exit {r.Code}, expected {code}: {err}");
        Assert.Single(err.Split('\n'));
        Assert.StartsWith("bomrl: ", err);
        Assert.Contains(fragment, err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotMatch(@"\b[A-Z]\w*Exception\b", err); // never an exception's type name
        Assert.Equal(before, Hashes());
        Assert.False(Directory.Exists(P("new")) && Directory.EnumerateFileSystemEntries(P("new")).Any(), "a refused run left files");
        Assert.False(File.Exists(P("exported")), "a refused export wrote its file");
    }

    [Fact]
    public void A_second_writer_exits_2_naming_the_holder_and_leaves_the_first_writers_files_intact()
    {
        Dictionary<string, string> before = Hashes();
        using (RunLock.Acquire(P("run")))
        {
            var resumed = Cli("train", "--out", P("run"), "--resume", "--iterations", "8");
            Assert.Equal(2, resumed.Code);
            Assert.Contains($"in use by another bomrl process (PID {Environment.ProcessId})", resumed.Err);
            Assert.Single(resumed.Err.TrimEnd().Split('\n'));
            Assert.Equal(2, Cli("train", "--config", P("good.json"), "--out", P("run"), "--force").Code);
            var export = Cli("export", "--run", P("run"), "--format", "json", "--out", P("exported"));
            Assert.Equal(2, export.Code); // a reader waits for no writer: it says the run is in use
            Assert.Single(export.Err.TrimEnd().Split('\n'));
            Assert.False(File.Exists(P("exported")));
            Assert.Equal(before, Hashes());
        }

        Assert.Equal(0, Cli("train", "--out", P("run"), "--resume", "--iterations", "8").Code); // released with its holder
    }

    [Fact]
    public void Ctrl_C_stops_between_iterations_with_exit_130_and_the_run_resumes()
    {
        using var interrupt = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var ctx = new CliContext(stdout, stderr, c => new InterruptingLearner(new FakeMetaLearner(c.Seed), 2, interrupt))
        {
            Cancellation = interrupt.Token,
        };
        Assert.Equal(130, Program.Run(["train", "--config", P("good.json"), "--out", P("stopped")], ctx));
        Assert.Contains("interrupted after 3 of 4 meta-iterations", stderr.ToString());
        Assert.Contains($"bomrl train --out {P("stopped")} --resume", stderr.ToString());
        Assert.Equal(3, new RunFolder(P("stopped")).ReadCheckpoint()!.CompletedIterations);
        Assert.Equal(0, Cli("train", "--out", P("stopped"), "--resume").Code);
        Assert.Equal(TrainerTests.DeterministicColumns(P("run", "metrics.csv")), TrainerTests.DeterministicColumns(P("stopped", "metrics.csv")));
    }

    [Fact]
    public void A_failure_inside_an_iteration_is_one_line_naming_the_iteration_with_exit_1()
    {
        var stderr = new StringWriter();
        var ctx = new CliContext(new StringWriter(), stderr, c => new FailingLearner(new FakeMetaLearner(c.Seed), 2));
        Assert.Equal(1, Program.Run(["train", "--config", P("good.json"), "--out", P("failed")], ctx));
        string err = stderr.ToString().TrimEnd();
        Assert.Single(err.Split('\n'));
        Assert.Equal("bomrl: meta-iteration 2 failed: arithmetic overflow: task 3: Arithmetic operation resulted in an overflow; " +
            "the folder keeps the checkpoint of the 2 iterations before it", err);
        Assert.Equal(2, new RunFolder(P("failed")).ReadCheckpoint()!.CompletedIterations);
    }

    /// <summary>Cancels the token (as Ctrl-C does) during meta-iteration <paramref name="at"/>.</summary>
    private sealed class InterruptingLearner(IMetaLearner inner, int at, CancellationTokenSource interrupt) : IMetaLearner
    {
        public string Algorithm => inner.Algorithm;

        public MetaLearnerState GetState() => inner.GetState();

        public void SetState(MetaLearnerState state) => inner.SetState(state);

        public IterationMetrics Iterate(int iteration)
        {
            if (iteration == at)
            {
                interrupt.Cancel();
            }

            return inner.Iterate(iteration);
        }

        public MetaTestResult MetaTest(int steps, int tasks, long seed, Action<int, double>? afterStep = null) => inner.MetaTest(steps, tasks, seed, afterStep);
    }

    /// <summary>Fails meta-iteration <paramref name="at"/> as a per-task parallel loop does: an AggregateException.</summary>
    private sealed class FailingLearner(IMetaLearner inner, int at) : IMetaLearner
    {
        public string Algorithm => inner.Algorithm;

        public MetaLearnerState GetState() => inner.GetState();

        public void SetState(MetaLearnerState state) => inner.SetState(state);

        public IterationMetrics Iterate(int iteration) => iteration == at
            ? throw new AggregateException(new OverflowException("task 3: Arithmetic operation resulted in an overflow."))
            : inner.Iterate(iteration);

        public MetaTestResult MetaTest(int steps, int tasks, long seed, Action<int, double>? afterStep = null) => inner.MetaTest(steps, tasks, seed, afterStep);
    }
}
