using BoMrl.Cli;

namespace BoMrl.Tests.Experiments;

/// <summary><c>reproduce locomotion --report-only</c> redraws a study's report from run folders without training.</summary>
public sealed class LocomotionReportOnlyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-report-only-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_committed_halfcheetah_dir_study_regenerates_its_table_from_metrics_and_test_files_alone()
    {
        string repo = TrainConfigTests.RepoRoot();
        string committed = Path.Combine(repo, "results", "locomotion-quick");
        foreach (string file in Directory.EnumerateFiles(Path.Combine(committed, "halfcheetah-dir"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(_root, Path.GetRelativePath(committed, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Assert.Empty(Directory.EnumerateDirectories(_root, "checkpoints", SearchOption.AllDirectories));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["reproduce", "locomotion", "--env", "halfcheetah-dir", "--scale", "quick", "--seeds", "1,2,3",
            "--methods", "bomrl-kl1,bomrl-kl2,bomrl-l2,maml-trpo,promp,emaml,maml-trpo-per-episode",
            "--configs", Path.Combine(repo, "configs"), "--out", _root, "--report-only"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(File.ReadAllLines(Path.Combine(committed, "halfcheetah-dir.md")).Where(l => l.Length > 0),
            File.ReadAllLines(Path.Combine(_root, "halfcheetah-dir.md")).Where(l => l.Length > 0));
        Assert.True(new FileInfo(Path.Combine(_root, "halfcheetah-dir-adaptation.png")).Length > 1000);
        Assert.Empty(Directory.EnumerateDirectories(_root, "checkpoints", SearchOption.AllDirectories)); // nothing trained
    }
}
