using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Runtime.Tests.Benchmarking;

/// <summary>Short benchmark runs (a few iterations, no timing assertions) and the JSON report's schema.</summary>
public sealed class InferenceBenchmarkTests
{
    private static readonly InferenceBenchmarkOptions Quick = new()
    {
        Batches = [1, 3],
        Warmup = 1,
        Iterations = 4,
        SessionCreations = 2,
        Threads = 1,
    };

    [Fact]
    public void Single_Model_Reports_Every_Batch_And_No_Ratios()
    {
        var report = InferenceBenchmark.Run(new BenchmarkTarget("model", BenchTestModels.GemmBnRelu()), null, Quick);
        var model = Assert.Single(report.Models);
        Assert.Equal([1, 3], model.Batches.Select(b => b.Batch));
        Assert.All(model.Batches, b => Assert.Equal(4, b.LatencyMs.Count));
        Assert.All(model.Batches, b => Assert.True(b.LatencyMs.Min <= b.LatencyMs.P50 && b.LatencyMs.P50 <= b.LatencyMs.Max));
        Assert.All(model.Batches, b => Assert.True(b.ThroughputSamplesPerSecond > 0));
        Assert.Equal(2, model.SessionCreationMs.Count);
        Assert.Empty(report.Comparisons);
        Assert.Null(report.SessionCreationRatio);
        Assert.True(report.PeakWorkingSetBytes > 0);
    }

    [Fact]
    public void Folded_Run_Folds_The_Bn_And_Pairs_Every_Run()
    {
        var work = Directory.CreateTempSubdirectory("onnxbn-bench-test").FullName;
        var progress = new List<BenchmarkProgress>();
        var report = InferenceBenchmark.RunFolded(BenchTestModels.GemmBnRelu(), work, Quick, new Recorder(progress));

        Assert.Equal(["original", "folded"], report.Models.Select(m => m.Label));
        Assert.Equal(new FoldSummary(1, 1, 0, 0, 4, 3, report.Fold!.FoldMilliseconds), report.Fold);
        Assert.True(File.Exists(report.Models[1].Path));
        Assert.Equal([1, 3], report.Comparisons.Select(c => c.Batch));
        Assert.All(report.Comparisons, c => Assert.Equal(4, c.LatencyRatio.Pairs));
        Assert.Equal(2, report.SessionCreationRatio!.Pairs);
        Assert.Equal("creating sessions", progress[1].Stage);
        Assert.Equal(1.0, progress[^1].Fraction);
    }

    [Fact]
    public void Duration_Mode_Runs_At_Least_The_Minimum_Pairs()
    {
        var options = Quick with { Batches = [2], Duration = TimeSpan.FromMilliseconds(1), MinimumPairs = 3 };
        var report = InferenceBenchmark.Run(new BenchmarkTarget("model", BenchTestModels.GemmBnRelu()), null, options);
        Assert.True(report.Models[0].Batches[0].LatencyMs.Count >= 3);
        Assert.Null(report.Settings.Iterations);
        Assert.Equal(0.001, report.Settings.DurationSeconds!.Value, 9);
    }

    [Theory]
    [InlineData("batches", "No batch sizes")]
    [InlineData("zero-batch", "at least 1")]
    [InlineData("iterations", "Iterations must be at least 1")]
    [InlineData("creations", "Session creations")]
    public void Bad_Options_Are_Setup_Errors(string kind, string message)
    {
        var options = kind switch
        {
            "batches" => Quick with { Batches = [] },
            "zero-batch" => Quick with { Batches = [0] },
            "iterations" => Quick with { Iterations = 0 },
            _ => Quick with { SessionCreations = 0 },
        };
        var ex = Assert.Throws<BenchmarkSetupException>(() => InferenceBenchmark.Run(new BenchmarkTarget("m", "unused.onnx"), null, options));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Json_Report_Has_The_Pinned_Schema_And_Round_Trips()
    {
        var work = Directory.CreateTempSubdirectory("onnxbn-bench-test").FullName;
        var report = InferenceBenchmark.RunFolded(BenchTestModels.GemmBnRelu(), work, Quick with { Batches = [2] });
        var json = report.ToJson();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        Assert.Equal(["schema", "createdUtc", "environment", "settings", "models", "comparisons", "sessionCreationRatio", "fold", "peakWorkingSetBytes"], Names(root));
        Assert.Equal("onnxbn.bench/1", root.GetProperty("schema").GetString());
        Assert.Equal(["ortVersion", "provider", "processorCount", "os", "dotnetVersion", "loadAverage1Min"], Names(root.GetProperty("environment")));
        Assert.Equal(["batches", "warmup", "iterations", "durationSeconds", "threads", "threadPool", "ortOptimization", "device", "seed", "sessionCreations", "inputs"], Names(root.GetProperty("settings")));
        var model = root.GetProperty("models")[0];
        Assert.Equal(["label", "path", "sessionCreationMs", "sessionMemoryBytes", "batches"], Names(model));
        Assert.Equal(["count", "min", "p50", "p90", "p99", "max", "mean"], Names(model.GetProperty("sessionCreationMs")));
        var batch = model.GetProperty("batches")[0];
        Assert.Equal(["batch", "latencyMs", "throughputSamplesPerSecond"], Names(batch));
        var comparison = root.GetProperty("comparisons")[0];
        Assert.Equal(["batch", "latencyRatio", "p50Ratio", "throughputRatio"], Names(comparison));
        Assert.Equal(["pairs", "median", "q1", "q3", "ciLow", "ciHigh"], Names(comparison.GetProperty("latencyRatio")));
        Assert.Equal(["batchNorms", "folded", "lowered", "kept", "nodesBefore", "nodesAfter", "foldMilliseconds"], Names(root.GetProperty("fold")));
        Assert.Equal(JsonValueKind.Number, batch.GetProperty("latencyMs").GetProperty("p99").ValueKind);
        Assert.Equal("all", root.GetProperty("settings").GetProperty("ortOptimization").GetString());

        var back = BenchmarkReport.FromJson(json);
        Assert.Equal(report.Models[1].Batches[0].LatencyMs, back.Models[1].Batches[0].LatencyMs);
        Assert.Equal(report.Fold, back.Fold);
    }

    [Fact]
    public void Optimization_Names_Match_The_Command_Line()
    {
        Assert.Equal("disabled", InferenceBenchmark.OptimizationName(GraphOptimizationLevel.ORT_DISABLE_ALL));
        Assert.Equal("basic", InferenceBenchmark.OptimizationName(GraphOptimizationLevel.ORT_ENABLE_BASIC));
        Assert.Equal("extended", InferenceBenchmark.OptimizationName(GraphOptimizationLevel.ORT_ENABLE_EXTENDED));
        Assert.Equal("all", InferenceBenchmark.OptimizationName(GraphOptimizationLevel.ORT_ENABLE_ALL));
    }

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder(List<BenchmarkProgress> seen) : IProgress<BenchmarkProgress>
    {
        public void Report(BenchmarkProgress value) => seen.Add(value);
    }
}
