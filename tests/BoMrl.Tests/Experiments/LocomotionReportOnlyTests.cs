using BoMrl.Cli;

namespace BoMrl.Tests.Experiments;

/// <summary><c>reproduce locomotion --report-only</c> redraws a study's report from run folders without training.</summary>
public sealed class LocomotionReportOnlyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-report-only-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("locomotion-quick", "halfcheetah-dir", "bomrl-kl1,bomrl-kl2,bomrl-l2,maml-trpo,promp,emaml,maml-trpo-per-episode")]
    [InlineData("locomotion-tuned", "halfcheetah-vel", "bomrl-kl1,bomrl-kl2,bomrl-l2,maml-trpo,promp,emaml,bomrl-kl2-paper,maml-trpo-paper")]
    public void A_committed_study_regenerates_its_table_from_metrics_and_test_files_alone(string study, string env, string methods)
    {
        string repo = TrainConfigTests.RepoRoot();
        string committed = Path.Combine(repo, "results", study);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(committed, env), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(_root, Path.GetRelativePath(committed, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Assert.Empty(Directory.EnumerateDirectories(_root, "checkpoints", SearchOption.AllDirectories));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["reproduce", "locomotion", "--env", env, "--scale", "quick", "--seeds", "1,2,3", "--methods", methods,
            "--configs", Path.Combine(repo, "configs"), "--out", _root, "--report-only"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(File.ReadAllLines(Path.Combine(committed, $"{env}.md")).Where(l => l.Length > 0),
            File.ReadAllLines(Path.Combine(_root, $"{env}.md")).Where(l => l.Length > 0));
        Assert.True(new FileInfo(Path.Combine(_root, $"{env}-adaptation.png")).Length > 1000);
        Assert.Empty(Directory.EnumerateDirectories(_root, "checkpoints", SearchOption.AllDirectories)); // nothing trained
    }
}
