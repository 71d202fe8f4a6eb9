using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Tests.Benchmarking;

/// <summary>
/// Where benchmarked sessions get their threads when the environment has no global pools (this test process);
/// the shared-pool choice is pinned end to end by the CLI's fresh-process bench test.
/// </summary>
public sealed class BenchmarkThreadingTests
{

    [Fact]
    public void Two_Models_With_Per_Session_Pools_Stop_Their_Workers_Spinning()
    {
        OrtSetup.Initialize();
        Assert.Null(OrtSetup.ThreadPools);

        var (description, options) = BenchmarkThreading.Choose(new InferenceBenchmarkOptions { Threads = 0 }, models: 2);

        Assert.Equal("one pool per session, no spinning", description);
        Assert.False(options.AllowSpinning);
        Assert.False(options.UseGlobalThreadPools);
    }

    [Fact]
    public void One_Model_Keeps_Onnx_Runtime_Defaults()
    {
        var (description, options) = BenchmarkThreading.Choose(new InferenceBenchmarkOptions { Threads = 2 }, models: 1);

        Assert.Equal("one pool per session", description);
        Assert.Empty(options.ConfigEntries);
        Assert.Equal(2, options.IntraOpThreads);
        Assert.True(options.AllowSpinning);
    }

    [Fact]
    public void One_Thread_Has_No_Pool_To_Share()
    {
        var (description, options) = BenchmarkThreading.Choose(new InferenceBenchmarkOptions { Threads = 1 }, models: 2);

        Assert.Equal("calling thread only", description);
        Assert.Empty(options.ConfigEntries);
    }

    [Fact]
    public void The_Report_Says_Which_Threads_The_Sessions_Used()
    {
        var model = BenchTestModels.GemmBnRelu();
        var options = new InferenceBenchmarkOptions { Batches = [2], Warmup = 0, Iterations = 2, SessionCreations = 1, Threads = 2 };

        var report = InferenceBenchmark.Run(new BenchmarkTarget("a", model), new BenchmarkTarget("b", model), options);

        Assert.Equal("one pool per session, no spinning", report.Settings.ThreadPool);
    }

    [Fact]
    public void The_Pools_Onnxbn_Bench_Asks_For_Are_Sized_By_Threads_And_Spin()
    {
        Assert.Equal(new GlobalThreadPools(3, 1, true), BenchmarkThreading.PoolsFor(3));
    }
}
