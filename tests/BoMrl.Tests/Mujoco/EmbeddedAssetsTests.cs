using BoMrl.Environments.Mujoco;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests.Mujoco;

/// <summary>The MJCF models travel inside the library assembly, so a program without the assets folder still loads them.</summary>
public sealed class EmbeddedAssetsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-assets-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(MujocoAssets.HalfCheetahFile)]
    [InlineData(MujocoAssets.AntFile)]
    public void An_embedded_model_is_written_out_byte_for_byte_and_loads_in_MuJoCo(string file)
    {
        string? path = MujocoAssets.EmbeddedCopy(file, _root);
        Assert.NotNull(path);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TrainConfigTests.RepoRoot(), "assets", file)), File.ReadAllBytes(path));
        Assert.Equal(path, MujocoAssets.EmbeddedCopy(file, _root)); // a second call reuses the identical copy
        using MujocoModel model = MujocoModel.Load(path);
        Assert.True(model.Nq > 0);
    }

    [Fact]
    public void A_model_the_assembly_does_not_embed_gives_null()
    {
        Assert.Null(MujocoAssets.EmbeddedCopy("nope.xml", _root));
        Assert.Empty(Directory.EnumerateFiles(_root));
    }
}
