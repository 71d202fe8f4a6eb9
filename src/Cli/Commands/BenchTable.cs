using System.Globalization;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Cli.Commands;

/// <summary>The human table <c>onnxbn bench</c> prints at the end: one row per model and batch size, then the ratios.</summary>
internal static class BenchTable
{
    public static void Write(TextWriter output, BenchmarkReport report)
    {
        var s = report.Settings;
        var runs = s.Iterations is { } n ? $"{n} runs" : $"{F(s.DurationSeconds ?? 0, 1)} s";
        output.WriteLine($"ONNX Runtime {report.Environment.OrtVersion} on {report.Environment.Provider}, " +
                         $"optimization {s.OrtOptimization}, threads {(s.Threads == 0 ? "default" : s.Threads)}, {s.ThreadPool}, " +
                         $"{runs} per batch size (+{s.Warmup} warmup); inputs: {s.Inputs}");
        foreach (var model in report.Models)
            output.WriteLine($"  {model.Label}: {model.Path}");
        if (report.Fold is { } fold)
            output.WriteLine($"  fold: {fold.Folded} of {fold.BatchNorms} BN folded, {fold.Lowered} lowered, {fold.Kept} kept; " +
                             $"{fold.NodesBefore} -> {fold.NodesAfter} nodes in {F(fold.FoldMilliseconds, 1)} ms");
        output.WriteLine();

        var width = Math.Max(5, report.Models.Max(m => m.Label.Length));
        output.WriteLine($"{"batch",6}  {"model".PadRight(width)}  {"min ms",9} {"p50 ms",9} {"p90 ms",9} {"p99 ms",9} {"max ms",9}  {"samples/s",11}");
        for (var i = 0; i < s.Batches.Count; i++)
        {
            foreach (var model in report.Models)
            {
                var b = model.Batches[i];
                var l = b.LatencyMs;
                output.WriteLine($"{b.Batch,6}  {model.Label.PadRight(width)}  {F(l.Min),9} {F(l.P50),9} {F(l.P90),9} {F(l.P99),9} {F(l.Max),9}  {F(b.ThroughputSamplesPerSecond, 1),11}");
            }
            if (report.Comparisons.Count > i)
                output.WriteLine($"{"",6}  {Ratio(report)}: {Spread(report.Comparisons[i].LatencyRatio)}, " +
                                 $"p50 ratio {F(report.Comparisons[i].P50Ratio, 3)}");
        }

        output.WriteLine();
        foreach (var model in report.Models)
            output.WriteLine($"session creation ({model.Label}): p50 {F(model.SessionCreationMs.P50, 1)} ms, " +
                             $"min {F(model.SessionCreationMs.Min, 1)} ms over {model.SessionCreationMs.Count}; " +
                             $"memory +{Mib(model.SessionMemoryBytes)} MiB");
        if (report.SessionCreationRatio is { } creation)
            output.WriteLine($"session creation {Ratio(report)}: {Spread(creation)}");
        output.WriteLine($"peak working set: {Mib(report.PeakWorkingSetBytes)} MiB");
    }

    private static string Ratio(BenchmarkReport report) =>
        report.Models.Count == 2 ? $"{report.Models[1].Label}/{report.Models[0].Label}" : "ratio";

    private static string Spread(RatioStatistics r) =>
        $"median {F(r.Median, 3)} (IQR {F(r.Q1, 3)}-{F(r.Q3, 3)}, 95% CI {F(r.CiLow, 3)}-{F(r.CiHigh, 3)}, {r.Pairs} pairs)";

    private static string Mib(long bytes) => F(bytes / 1048576.0, 1);

    private static string F(double value, int digits = 3) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
