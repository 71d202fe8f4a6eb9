using OnnxBn.Runtime.Session;

namespace OnnxBn.Runtime.Tests;

/// <summary>
/// Process-wide thread pools in a process whose environment was created without them (as in this test process:
/// no test here asks for them). The fresh-process path, where they exist and sessions share them, is pinned by
/// the CLI's bench tests, which start onnxbn as a child process.
/// </summary>
public sealed class GlobalThreadPoolsTests
{
    [Fact]
    public void A_Session_Asking_For_Global_Pools_Fails_Clearly_When_The_Environment_Has_None()
    {
        Assert.Null(OrtEnvironment.Instance.ThreadPools);

        var error = Assert.Throws<InvalidOperationException>(() =>
            new InferenceSession(OnnxBn.Runtime.Tests.Benchmarking.BenchTestModels.GemmBnRelu(), new SessionOptions { UseGlobalThreadPools = true }));

        Assert.Contains("created without them", error.Message);
        Assert.Contains("OrtEnvironment.Initialize(threadPools:", error.Message);
    }

    [Fact]
    public void Asking_For_Pools_After_The_Environment_Exists_Without_Them_Throws_Instead_Of_Ignoring_Them()
    {
        _ = OrtEnvironment.Instance;

        var error = Assert.Throws<InvalidOperationException>(() =>
            OrtEnvironment.Initialize(threadPools: new GlobalThreadPools(IntraOpThreads: 2)));

        Assert.Contains("already exists with per-session thread pools", error.Message);
        Assert.Contains("shared global pool (2 intra-op threads, spinning)", error.Message);
    }

    [Fact]
    public void Initialize_Without_Pools_Still_Returns_The_Existing_Environment()
    {
        var existing = OrtEnvironment.Instance;

        Assert.Same(existing, OrtEnvironment.Initialize(OrtLogLevel.Error));
        Assert.True(OrtEnvironment.IsCreated);
    }

    [Theory]
    [InlineData(0, true, "shared global pool (default intra-op threads, spinning)")]
    [InlineData(1, true, "shared global pool (1 intra-op thread, spinning)")]
    [InlineData(4, false, "shared global pool (4 intra-op threads, no spinning)")]
    public void Pools_Describe_Their_Threads_And_Spinning(int threads, bool spinning, string expected) =>
        Assert.Equal(expected, new GlobalThreadPools(threads, AllowSpinning: spinning).ToString());
}
