using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Tests.Sessions;

/// <summary>
/// This test process creates ONNX Runtime's environment without global pools (the first session does); the sharing
/// itself is exercised by <c>onnxbn bench</c>, which creates the environment with pools (tests/Cli).
/// </summary>
public sealed class GlobalThreadPoolsTests
{
    [Fact]
    public void A_Session_Asking_For_Global_Pools_Fails_Clearly_When_The_Environment_Has_None()
    {
        using (ModelSession.Open(TestModels.AddRelu())) { }
        Assert.Null(OrtSetup.ThreadPools);

        var error = Assert.Throws<InvalidOperationException>(() =>
            ModelSession.Open(TestModels.AddRelu(), new SessionSettings { UseGlobalThreadPools = true }));

        Assert.Contains("created without them", error.Message);
        Assert.Contains("OrtSetup.Initialize(threadPools:", error.Message);
    }

    [Fact]
    public void Asking_For_Pools_After_The_Environment_Exists_Without_Them_Throws_Instead_Of_Ignoring_Them()
    {
        using (ModelSession.Open(TestModels.AddRelu())) { }

        var error = Assert.Throws<InvalidOperationException>(() =>
            OrtSetup.Initialize(threadPools: new GlobalThreadPools(IntraOpThreads: 2)));

        Assert.Contains("already exists with per-session thread pools", error.Message);
        Assert.Contains("shared global pool (2 intra-op threads, spinning)", error.Message);
    }

    [Fact]
    public void Initialize_Without_Pools_Keeps_The_Existing_Environment()
    {
        using (ModelSession.Open(TestModels.AddRelu())) { }
        OrtSetup.Initialize();
        Assert.True(OrtSetup.IsCreated);
    }

    [Theory]
    [InlineData(0, true, "shared global pool (default intra-op threads, spinning)")]
    [InlineData(1, true, "shared global pool (1 intra-op thread, spinning)")]
    [InlineData(4, false, "shared global pool (4 intra-op threads, no spinning)")]
    public void Pools_Describe_Their_Threads_And_Spinning(int threads, bool spinning, string expected) =>
        Assert.Equal(expected, new GlobalThreadPools(threads, AllowSpinning: spinning).ToString());
}
