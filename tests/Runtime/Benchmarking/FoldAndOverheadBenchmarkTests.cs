using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Runtime.Tests.Benchmarking;

/// <summary>Smoke runs of the fold-cost and per-run-overhead measurements (structure only, no timing assertions).</summary>
public sealed class FoldAndOverheadBenchmarkTests
{
    [Fact]
    public void Fold_Benchmark_Writes_All_Three_Outputs_And_Pairs_Every_Round()
    {
        var model = BenchTestModels.GemmBnRelu();
        var work = Directory.CreateTempSubdirectory("onnxbn-fold-bench").FullName;
        var result = FoldBenchmark.Run(model, work, rounds: 2);

        Assert.Equal(new FileInfo(model).Length, result.ModelFileBytes);
        Assert.Equal((1, 1), (result.BatchNorms, result.Folded));
        Assert.All(new[] { result.LoadSave, result.LoadFoldSave, result.OrtOptimizer }, v => Assert.Equal(2, v.Milliseconds.Count));
        Assert.Equal(2, result.FoldVsOrtOptimizer.Pairs);
        Assert.Equal(2, result.FoldVsLoadSave.Pairs);
        Assert.Equal(2, result.FoldMs.Count);
        foreach (var suffix in new[] { ".resaved.onnx", ".folded.onnx", ".ort-basic.onnx" })
            Assert.True(File.Exists(Path.Combine(work, "gemm_bn_relu" + suffix)), suffix);
        Assert.True(result.LoadFoldSave.PeakBytes > 0);
    }

    [Fact]
    public void Run_Overhead_Measures_Every_Method_Against_The_Native_Floor()
    {
        var result = RunOverheadBenchmark.Run(BenchTestModels.GemmBnRelu(), blocks: 2, runsPerBlock: 20);
        Assert.Equal(["official RunWithBinding", "PreparedRun (bench path)", "official Run into pre-allocated outputs", "ModelSession.Run owned outputs"],
            result.Methods.Select(m => m.Method));
        Assert.All(result.Methods, m => Assert.Equal(2, m.MicrosecondsPerRun.Count));
        Assert.Equal(1.0, result.Methods[0].RatioToNative.Median);
        // The dictionary overload returns owned outputs, so it must allocate; the pre-bound paths must not.
        Assert.True(result.Methods[3].BytesAllocatedPerRun > 0);
        Assert.Equal(0, result.Methods[1].BytesAllocatedPerRun);
    }

    [Fact]
    public void Peak_Memory_Measure_Sees_An_Allocation()
    {
        var (peak, growth) = PeakMemory.Measure(() =>
        {
            var block = GC.AllocateUninitializedArray<byte>(64 << 20);
            Array.Fill(block, (byte)1);
            GC.KeepAlive(block);
        });
        Assert.True(peak >= growth);
        Assert.True(growth >= 32 << 20, $"growth {growth}");
    }
}
