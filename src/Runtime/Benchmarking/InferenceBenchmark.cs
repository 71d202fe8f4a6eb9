using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>A model file to benchmark and the label its results carry ("original", "folded", "model", "compare").</summary>
public sealed record BenchmarkTarget(string Label, string Path);

/// <summary>
/// Measures inference latency, throughput, session creation time and memory of one model, or of two models side by
/// side. With two, every measurement is interleaved (A B, then B A, ...) so that drift on a busy machine hits both
/// equally, and each pair yields a B/A ratio; the report gives the spread of those ratios. Timed runs go through
/// <see cref="PreparedRun"/> (pre-bound inputs and outputs), so the binding adds no per-run allocation.
/// </summary>
public static partial class InferenceBenchmark
{
    /// <summary>Benchmarks <paramref name="a"/> alone, or against <paramref name="b"/> (ratios are B/A).</summary>
    /// <exception cref="BenchmarkSetupException">The options or input shapes do not fit the model.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed to load or run a model.</exception>
    public static BenchmarkReport Run(BenchmarkTarget a, BenchmarkTarget? b, InferenceBenchmarkOptions options,
        IProgress<BenchmarkProgress>? progress = null, FoldSummary? fold = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var targets = b is null ? new[] { a } : new[] { a, b };
        var (threadPool, sessionOptions) = BenchmarkThreading.Choose(options, targets.Length);
        var peak = new PeakTracker();

        progress?.Report(new BenchmarkProgress(0, "creating sessions"));
        var creation = TimeCreations(targets, sessionOptions, options.SessionCreations, cancellationToken);

        var sessions = new ModelSession[targets.Length];
        var memory = new long[targets.Length];
        var runs = new PreparedRun[targets.Length][];
        try
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var index = t;
                memory[t] = peak.Measure(() =>
                {
                    sessions[index] = ModelSession.Open(targets[index].Path, sessionOptions);
                    runs[index] = options.Batches
                        .Select(batch => new PreparedRun(sessions[index], batch, options.Seed, options.Shapes, options.InputSource?.Invoke(batch)))
                        .ToArray();
                });
            }

            var samples = new double[targets.Length][][];
            for (var t = 0; t < targets.Length; t++)
                samples[t] = new double[options.Batches.Count][];
            for (var i = 0; i < options.Batches.Count; i++)
            {
                var perTarget = TimeBatch(runs.Select(r => r[i]).ToArray(), options, i, progress, cancellationToken);
                for (var t = 0; t < targets.Length; t++)
                    samples[t][i] = perTarget[t];
            }
            progress?.Report(new BenchmarkProgress(1, "done"));

            var provider = sessions[0].Device.ToString();
            var models = targets.Select((target, t) => new ModelResult(target.Label, target.Path, creation[t], memory[t],
                options.Batches.Select((batch, i) => BatchResultOf(batch, samples[t][i])).ToArray())).ToArray();
            var comparisons = b is null
                ? []
                : options.Batches.Select((batch, i) => Compare(batch, samples[0][i], samples[1][i], models[0].Batches[i], models[1].Batches[i])).ToArray();
            var creationRatio = b is null ? null : RatioStatistics.OfPairs(creation[0].Samples, creation[1].Samples);
            return new BenchmarkReport(BenchmarkReport.CurrentSchema, DateTime.UtcNow.ToString("O"),
                BenchmarkEnvironment.Current(OrtSetup.Version, provider), SettingsOf(options, threadPool),
                models, comparisons, creationRatio, fold, peak.Peak);
        }
        finally
        {
            foreach (var set in runs.Where(r => r is not null))
                foreach (var run in set)
                    run.Dispose();
            foreach (var session in sessions.Where(s => s is not null))
                session.Dispose();
        }
    }

    private static BenchmarkSettings SettingsOf(InferenceBenchmarkOptions o, string threadPool) =>
        new(o.Batches.ToArray(), o.Warmup, o.Duration is null ? o.Iterations : null, o.Duration?.TotalSeconds, o.Threads,
            threadPool, OptimizationName(o.OptimizationLevel), o.Device.ToString(), o.Seed, o.SessionCreations,
            o.InputSource is { } source ? source(o.Batches[0]).Description : $"random (seed {o.Seed})");

    /// <summary>The command-line spelling of an optimization level: disabled, basic, extended or all.</summary>
    public static string OptimizationName(GraphOptimizationLevel level) => level switch
    {
        GraphOptimizationLevel.ORT_DISABLE_ALL => "disabled",
        GraphOptimizationLevel.ORT_ENABLE_BASIC => "basic",
        GraphOptimizationLevel.ORT_ENABLE_EXTENDED => "extended",
        GraphOptimizationLevel.ORT_ENABLE_LAYOUT => "layout",
        _ => "all",
    };

    private static BatchResult BatchResultOf(int batch, double[] samples)
    {
        var total = samples.Sum();
        return new BatchResult(batch, LatencyStatistics.Of(samples), total > 0 ? batch * samples.Length * 1000.0 / total : 0);
    }

    private static BatchComparison Compare(int batch, double[] a, double[] b, BatchResult ra, BatchResult rb) =>
        new(batch, RatioStatistics.OfPairs(a, b), rb.LatencyMs.P50 / ra.LatencyMs.P50,
            rb.ThroughputSamplesPerSecond / ra.ThroughputSamplesPerSecond);

    /// <summary>Creates and disposes each session <paramref name="count"/> times, interleaved, after one untimed creation each.</summary>
    private static TimedCreations[] TimeCreations(BenchmarkTarget[] targets, SessionSettings options, int count, CancellationToken token)
    {
        foreach (var target in targets)
            ModelSession.Open(target.Path, options).Dispose();
        var times = targets.Select(_ => new double[count]).ToArray();
        for (var i = 0; i < count; i++)
        {
            token.ThrowIfCancellationRequested();
            for (var k = 0; k < targets.Length; k++)
            {
                var t = i % 2 == 0 ? k : targets.Length - 1 - k;
                var start = Stopwatch.GetTimestamp();
                using (ModelSession.Open(targets[t].Path, options))
                    times[t][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        return times.Select(s => new TimedCreations(s)).ToArray();
    }

    /// <summary>Session creation samples with their statistics (the raw samples pair up for the ratio).</summary>
    private sealed record TimedCreations(double[] Samples)
    {
        public LatencyStatistics Stats { get; } = LatencyStatistics.Of(Samples);

        public static implicit operator LatencyStatistics(TimedCreations c) => c.Stats;
    }
}
