using BoMrl.Cli;

namespace BoMrl.Tests;

public class CliParsingTests
{
    [Fact]
    public void Unknown_verb_gives_one_line_error_and_exit_code_2()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = Program.Run(["no-such-verb"], stdout, stderr);
        Assert.Equal(2, rc);
        string err = stderr.ToString().TrimEnd();
        Assert.Single(err.Split('\n'));
        Assert.StartsWith("bomrl:", err);
    }
}
