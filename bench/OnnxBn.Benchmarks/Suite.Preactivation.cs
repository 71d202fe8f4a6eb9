using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Benchmarks;

internal sealed partial class Suite
{
    /// <summary>The example models whose BNs sit before an activation (models/&lt;name&gt;.onnx).</summary>
    public static readonly string[] PreactivationModels = ["preact_resnet_block", "densenet_tail", "preact_leaky_block"];

    /// <summary>
    /// What moving a pre-activation BN's scale through the activation buys at run time: each model folded with every
    /// other rule (A: its pre-activation BNs kept, as every other tool leaves them) against folded with the
    /// scale-through rule as well (B: each such BN now an Add), interleaved, at ORT ENABLE_ALL and with ORT's
    /// optimizations disabled. Plus torchvision's DenseNet-121 when --densenet121 points at an export of it.
    /// </summary>
    private void RunPreactivation(SuiteResults results)
    {
        var models = PreactivationModels.Select(name => (Name: name, Path: Path.Combine(settings.ModelsDirectory, name + ".onnx"))).ToList();
        if (settings.DenseNet121Path is { } densenet)
            models.Add(("densenet121 (torchvision)", densenet));
        foreach (var (name, path) in models)
        {
            if (!File.Exists(path))
            {
                log.WriteLine($"preactivation: {path} not found; skipped");
                continue;
            }
            string work = Path.Combine(_work, "preactivation", Path.GetFileNameWithoutExtension(path));
            var (without, foldedWithout) = FoldTo(path, Path.Combine(work, "without.onnx"), scaleThrough: false);
            var (with, foldedWith) = FoldTo(path, Path.Combine(work, "with.onnx"), scaleThrough: true);
            foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_ALL, GraphOptimizationLevel.ORT_DISABLE_ALL })
            {
                Section($"pre-activation BNs: {name} at ORT {InferenceBenchmark.OptimizationName(level)}");
                var report = InferenceBenchmark.Run(new BenchmarkTarget("without scale-through", without), new BenchmarkTarget("with scale-through", with),
                    new InferenceBenchmarkOptions
                    {
                        Batches = name.StartsWith("densenet121", StringComparison.Ordinal) ? [1] : [1, 64],
                        Warmup = 3,
                        Duration = settings.InferenceDuration,
                        MinimumPairs = settings.Quick ? 3 : 15,
                        SessionCreations = 1,
                        Threads = InferenceThreads,
                        OptimizationLevel = level,
                    }, _progress);
                _progress.Done();
                results.Preactivation.Add(new PreactivationRow(name, InferenceBenchmark.OptimizationName(level), foldedWithout, foldedWith, report));
            }
        }
    }

    /// <summary>Folds <paramref name="path"/> (with or without the scale-through rule) into <paramref name="output"/>.</summary>
    private static (string Path, FoldCount Count) FoldTo(string path, string output, bool scaleThrough)
    {
        var model = OnnxModel.Load(path);
        var report = FoldPass.Run(model, new FoldOptions { ScaleThroughActivations = scaleThrough });
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        model.Save(output);
        return (output, new FoldCount(report.Fates.Count, report.Folded));
    }
}
