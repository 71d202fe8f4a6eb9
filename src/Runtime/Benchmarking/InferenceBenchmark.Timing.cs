using System.Diagnostics;

namespace OnnxBn.Runtime.Benchmarking;

public static partial class InferenceBenchmark
{
    /// <summary>
    /// Warms every run up, then times them interleaved: pair i runs the targets in order when i is even and in
    /// reverse when odd, so neither side always enjoys the caches the other just warmed.
    /// </summary>
    private static double[][] TimeBatch(PreparedRun[] runs, InferenceBenchmarkOptions options, int batchIndex,
        IProgress<BenchmarkProgress>? progress, CancellationToken token)
    {
        var batchCount = options.Batches.Count;
        var stage = $"batch {runs[0].Batch}";
        progress?.Report(new BenchmarkProgress(batchIndex / (double)batchCount, $"{stage}: warmup"));
        for (var w = 0; w < options.Warmup; w++)
        {
            token.ThrowIfCancellationRequested();
            foreach (var run in runs)
                run.RunMilliseconds();
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        var samples = runs.Select(_ => new List<double>(options.Duration is null ? options.Iterations : 256)).ToArray();
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        for (var pair = 0; ; pair++)
        {
            if (Done(options, pair, clock.Elapsed))
                break;
            token.ThrowIfCancellationRequested();
            for (var k = 0; k < runs.Length; k++)
            {
                var t = pair % 2 == 0 ? k : runs.Length - 1 - k;
                samples[t].Add(runs[t].RunMilliseconds());
            }
            if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(100))
            {
                lastReport = clock.Elapsed;
                var within = options.Duration is { } d
                    ? Math.Min(1, clock.Elapsed / d)
                    : (pair + 1.0) / options.Iterations;
                progress.Report(new BenchmarkProgress((batchIndex + within) / batchCount,
                    $"{stage}: {pair + 1}{(options.Duration is null ? "/" + options.Iterations : "")} runs"));
            }
        }
        return samples.Select(s => s.ToArray()).ToArray();
    }

    private static bool Done(InferenceBenchmarkOptions options, int pairs, TimeSpan elapsed) =>
        options.Duration is { } duration
            ? pairs >= options.MinimumPairs && elapsed >= duration
            : pairs >= options.Iterations;

    /// <summary>
    /// The process's peak resident memory across phases: <see cref="PeakMemory.Measure"/> resets the kernel's
    /// high-water mark, so the peak seen before each reset is kept here.
    /// </summary>
    private sealed class PeakTracker
    {
        private long _peak = PeakMemory.PeakBytes;

        public long Peak => Math.Max(_peak, PeakMemory.PeakBytes);

        public long Measure(Action action)
        {
            _peak = Peak;
            var (peak, growth) = PeakMemory.Measure(action);
            _peak = Math.Max(_peak, peak);
            return growth;
        }
    }
}
