using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Benchmarks;

/// <summary>
/// Runs the sections of the suite in order and collects their results. Every ratio is measured interleaved against
/// its anchor in the same process, so the machine's load moves both sides of a ratio together.
/// </summary>
internal sealed partial class Suite(SuiteSettings settings, TextWriter log)
{
    /// <summary>The example models of the inference rows (models/&lt;name&gt;.onnx).</summary>
    public static readonly string[] InferenceModels =
        ["fashion_mlp_bn_after_act", "fashion_mlp_bn_before_act", "small_cnn_bn", "resnet_mini"];

    /// <summary>
    /// Intra-op threads of the inference rows: ONNX Runtime's default (one per core), what an app gets unless it
    /// sets them. Both models share the process's global pool (<see cref="BenchmarkThreading"/>).
    /// </summary>
    public const int InferenceThreads = 0;

    private readonly string _work = Directory.CreateTempSubdirectory("onnxbn-suite").FullName;
    private readonly Progress _progress = new(log);

    public SuiteResults Run()
    {
        var clock = Stopwatch.StartNew();
        var loadStart = BenchmarkEnvironment.LoadAverage();
        var results = new SuiteResults { CreatedUtc = DateTime.UtcNow.ToString("O"), LoadAverageStart = loadStart, Quick = settings.Quick };
        try
        {
            if (settings.Runs("fold"))
                RunFoldCost(results);
            if (settings.Runs("inference"))
                RunInference(results);
            if (settings.Runs("preactivation"))
                RunPreactivation(results);
            if (settings.Runs("overhead"))
                RunOverhead(results);
            if (settings.Runs("batch-curve"))
                RunBatchCurve(results);
            if (settings.Runs("fold-scaling"))
                RunFoldScaling(results);
            if (settings.Runs("fold-nodes"))
                RunFoldNodes(results);
        }
        finally
        {
            Directory.Delete(_work, recursive: true);
        }
        results.LoadAverageEnd = BenchmarkEnvironment.LoadAverage();
        results.Minutes = clock.Elapsed.TotalMinutes;
        results.OrtVersion = OrtSetup.Version;
        return results;
    }

    private void RunFoldCost(SuiteResults results)
    {
        if (settings.ResNet50Path is not { } resnet || !File.Exists(resnet))
        {
            log.WriteLine($"fold: no ResNet-50 model ({settings.ResNet50Path ?? "--resnet50 not given"}); skipped");
            return;
        }
        Section($"fold cost: {resnet}");
        results.ResNet50Path = resnet;
        results.FoldCost = FoldBenchmark.Run(resnet, Path.Combine(_work, "fold"), settings.FoldRounds, _progress);
        _progress.Done();
        results.FoldProcess = FoldInFreshProcess(resnet, settings.Quick ? 1 : 7);

        Section("session creation and latency: ResNet-50 original vs folded (batch 1, ENABLE_ALL)");
        results.ResNet50Sessions = InferenceBenchmark.RunFolded(resnet, Path.Combine(_work, "resnet50"), new InferenceBenchmarkOptions
        {
            Batches = [1],
            Warmup = 1,
            Iterations = settings.Quick ? 2 : 10,
            SessionCreations = settings.Quick ? 1 : 5,
            Threads = InferenceThreads,
        }, _progress);
        _progress.Done();
    }

    private void RunInference(SuiteResults results)
    {
        foreach (var name in InferenceModels)
        {
            var path = Path.Combine(settings.ModelsDirectory, name + ".onnx");
            if (!File.Exists(path))
            {
                log.WriteLine($"inference: {path} not found; skipped");
                continue;
            }
            foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_ALL, GraphOptimizationLevel.ORT_DISABLE_ALL })
            {
                Section($"inference: {name} at ORT {InferenceBenchmark.OptimizationName(level)}");
                var report = InferenceBenchmark.RunFolded(path, Path.Combine(_work, "inference"), new InferenceBenchmarkOptions
                {
                    Batches = [1, 256],
                    Warmup = 5,
                    Duration = settings.InferenceDuration,
                    MinimumPairs = settings.Quick ? 3 : 15,
                    SessionCreations = settings.Quick ? 2 : 10,
                    Threads = InferenceThreads,
                    OptimizationLevel = level,
                }, _progress);
                _progress.Done();
                results.Inference.Add(new InferenceRow(name, InferenceBenchmark.OptimizationName(level), report));
            }
        }
    }

    private void RunOverhead(SuiteResults results)
    {
        Section("per-run overhead of the binding (tiny model)");
        var tiny = ModelFamily.Mlp(Path.Combine(_work, "tiny"), 4, 1);
        results.Overhead = settings.Quick ? RunOverheadBenchmark.Run(tiny, 3, 200) : RunOverheadBenchmark.Run(tiny);
    }

    private void RunBatchCurve(SuiteResults results)
    {
        var path = Path.Combine(settings.ModelsDirectory, "fashion_mlp_bn_after_act.onnx");
        if (!File.Exists(path))
            return;
        Section("latency vs batch size: book MLP (BN after activations), ENABLE_ALL");
        results.BatchCurve = InferenceBenchmark.RunFolded(path, Path.Combine(_work, "curve"), new InferenceBenchmarkOptions
        {
            Batches = [1, 4, 16, 64, 256, 1024],
            Warmup = 5,
            Duration = settings.Quick ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2.5),
            MinimumPairs = settings.Quick ? 3 : 10,
            SessionCreations = 1,
            Threads = InferenceThreads,
        }, _progress);
        _progress.Done();
        Charts.LatencyVsBatch(results.BatchCurve, Path.Combine(settings.OutputDirectory, "latency_vs_batch.svg"));
    }

    private void Section(string title)
    {
        var load = BenchmarkEnvironment.LoadAverage();
        log.WriteLine($"== {title} (load average {load?.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) ?? "?"})");
    }

    /// <summary>Writes one progress line per stage change, at most every few seconds (the suite log stays readable).</summary>
    private sealed class Progress(TextWriter log) : IProgress<BenchmarkProgress>
    {
        private string _stage = "";
        private long _last;

        public void Report(BenchmarkProgress value)
        {
            var now = Stopwatch.GetTimestamp();
            var stage = value.Stage.Split(':')[0];
            if (stage == _stage && Stopwatch.GetElapsedTime(_last, now) < TimeSpan.FromSeconds(5))
                return;
            _stage = stage;
            _last = now;
            log.WriteLine($"   {value.Fraction * 100,3:F0}% {value.Stage}");
        }

        public void Done() => _stage = "";
    }
}
