using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// What folding a model file costs, against two anchors, measured interleaved in rounds (each round runs all three
/// in rotating order): plain load+save with our model layer (the floor of any file-to-file rewrite), our
/// load+fold+save, and ONNX Runtime's offline optimizer (a session created at <see cref="GraphOptimizationLevel.ORT_ENABLE_BASIC"/>
/// with <see cref="SessionSettings.OptimizedModelFilePath"/>: it parses, runs its basic rewrites, Conv+BN fusion
/// among them, and writes the optimized model). Dirty pages are flushed (untimed) before each timed action, so no
/// action's fsync waits for another's writes (<see cref="DirtyPages"/>).
/// </summary>
public static class FoldBenchmark
{
    /// <summary>Runs <paramref name="rounds"/> rounds on <paramref name="modelPath"/>, writing outputs into <paramref name="workDirectory"/>.</summary>
    public static FoldBenchmarkResult Run(string modelPath, string workDirectory, int rounds,
        IProgress<BenchmarkProgress>? progress = null, int ortThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        Directory.CreateDirectory(workDirectory);
        var stem = Path.Combine(workDirectory, Path.GetFileNameWithoutExtension(modelPath));
        var actions = new Func<Sample>[]
        {
            () => Timed(() => OnnxModel.Load(modelPath).Save(stem + ".resaved.onnx")),
            () => LoadFoldSave(modelPath, stem + ".folded.onnx"),
            () => Timed(() => ModelSession.Open(modelPath, new SessionSettings
            {
                OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OptimizedModelFilePath = stem + ".ort-basic.onnx",
                IntraOpThreads = ortThreads,
            }).Dispose()),
        };
        var samples = actions.Select(_ => new List<Sample>()).ToArray();
        for (var k = 0; k < actions.Length; k++)
            actions[k](); // untimed: JIT, page cache, ORT library load
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < actions.Length; k++)
            {
                var which = (k + round) % actions.Length;
                progress?.Report(new BenchmarkProgress((round * actions.Length + k) / (double)(rounds * actions.Length),
                    $"fold timing round {round + 1}/{rounds}"));
                DirtyPages.Flush();
                samples[which].Add(actions[which]());
            }
        }

        double[] Ms(int k) => samples[k].Select(s => s.Milliseconds).ToArray();
        var foldPhases = samples[1].Select(s => s.Phases!).ToArray();
        return new FoldBenchmarkResult(
            new FileInfo(modelPath).Length,
            Variant(samples[0]), Variant(samples[1]), Variant(samples[2]),
            LatencyStatistics.Of(foldPhases.Select(p => p.LoadMs).ToArray()),
            LatencyStatistics.Of(foldPhases.Select(p => p.FoldMs).ToArray()),
            LatencyStatistics.Of(foldPhases.Select(p => p.SaveMs).ToArray()),
            foldPhases[0].BatchNorms, foldPhases[0].Folded,
            RatioStatistics.OfPairs(Ms(2), Ms(1)), RatioStatistics.OfPairs(Ms(0), Ms(1)));
    }

    private static FoldVariantResult Variant(List<Sample> samples) =>
        new(LatencyStatistics.Of(samples.Select(s => s.Milliseconds).ToArray()),
            samples.Max(s => s.PeakBytes), samples.Max(s => s.GrowthBytes));

    private static Sample LoadFoldSave(string modelPath, string output)
    {
        Phases? phases = null;
        var sample = Timed(() =>
        {
            var t0 = Stopwatch.GetTimestamp();
            var model = OnnxModel.Load(modelPath);
            var t1 = Stopwatch.GetTimestamp();
            var report = FoldPass.Run(model);
            var t2 = Stopwatch.GetTimestamp();
            model.Save(output);
            var t3 = Stopwatch.GetTimestamp();
            phases = new Phases(Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), report.Fates.Count, report.Folded);
        });
        return sample with { Phases = phases };
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static Sample Timed(Action action)
    {
        var elapsed = 0.0;
        var (peak, growth) = PeakMemory.Measure(() =>
        {
            var start = Stopwatch.GetTimestamp();
            action();
            elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        });
        return new Sample(elapsed, peak, growth, null);
    }

    private sealed record Phases(double LoadMs, double FoldMs, double SaveMs, int BatchNorms, int Folded);

    private sealed record Sample(double Milliseconds, long PeakBytes, long GrowthBytes, Phases? Phases);
}

/// <summary>Time and memory of one way of processing the model file.</summary>
/// <param name="Milliseconds">Wall time per round.</param>
/// <param name="PeakBytes">Highest process resident set seen while it ran (includes the runtime itself).</param>
/// <param name="GrowthBytes">Highest growth of the resident set over the level just before it ran.</param>
public sealed record FoldVariantResult(LatencyStatistics Milliseconds, long PeakBytes, long GrowthBytes);

/// <summary>The fold-cost comparison: our load+fold+save against load+save and ONNX Runtime's offline optimizer.</summary>
/// <param name="ModelFileBytes">Size of the model file.</param>
/// <param name="LoadSave">Our plain load+save.</param>
/// <param name="LoadFoldSave">Our load+fold+save.</param>
/// <param name="OrtOptimizer">ONNX Runtime's session creation at ENABLE_BASIC writing the optimized model.</param>
/// <param name="LoadMs">The load phase of load+fold+save.</param>
/// <param name="FoldMs">The fold phase of load+fold+save.</param>
/// <param name="SaveMs">The save phase of load+fold+save.</param>
/// <param name="BatchNorms">BNs in the model.</param>
/// <param name="Folded">BNs folded.</param>
/// <param name="FoldVsOrtOptimizer">Per-round ratio (load+fold+save) / (ORT offline optimizer).</param>
/// <param name="FoldVsLoadSave">Per-round ratio (load+fold+save) / (load+save).</param>
public sealed record FoldBenchmarkResult(
    long ModelFileBytes,
    FoldVariantResult LoadSave,
    FoldVariantResult LoadFoldSave,
    FoldVariantResult OrtOptimizer,
    LatencyStatistics LoadMs,
    LatencyStatistics FoldMs,
    LatencyStatistics SaveMs,
    int BatchNorms,
    int Folded,
    RatioStatistics FoldVsOrtOptimizer,
    RatioStatistics FoldVsLoadSave);
