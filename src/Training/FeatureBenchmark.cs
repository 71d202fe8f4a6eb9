using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Training;

/// <summary>Throughput of <see cref="FeatureExtractor"/> against the plain way of running ONNX Runtime in batches.</summary>
/// <param name="ExtractorSeconds">Best time of the extractor over the repeats.</param>
/// <param name="PlainSeconds">Best time of the plain batched run over the repeats.</param>
/// <param name="Examples">Examples per pass.</param>
public sealed record FeatureBenchmarkResult(double ExtractorSeconds, double PlainSeconds, int Examples)
{
    /// <summary>Extractor throughput divided by plain throughput (≥ 1 means the extractor is at least as fast).</summary>
    public double Ratio => PlainSeconds / ExtractorSeconds;

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant(
        $"feature extraction: {Examples / ExtractorSeconds:0} examples/s (plain batched Run: {Examples / PlainSeconds:0} examples/s), ratio {Ratio:0.00}x");
}

/// <summary>Measures <see cref="FeatureExtractor"/> against the plain batched run; for benchmarks, not for tests.</summary>
public static class FeatureBenchmark
{
    /// <summary>
    /// Runs <paramref name="model"/> over <paramref name="data"/> with the extractor and with a plain loop (a new input
    /// tensor over each slice, <c>Run(inputs)</c> returning owned outputs, copy out), alternating, after one warm-up
    /// pass of each, and keeps each one's best time over <paramref name="repeats"/>.
    /// </summary>
    public static FeatureBenchmarkResult Measure(OnnxModel model, LabeledData data, int batchSize = 256, int repeats = 3,
        SessionSettings? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        using var extractor = new FeatureExtractor(model, options);
        using var session = ModelSession.Open(model, options);
        var shape = extractor.ExampleShape(data.FeatureSize);
        var inputName = session.Inputs[0].Name;
        extractor.Run(data, batchSize);
        Plain(session, inputName, shape, data, batchSize);
        double best = double.MaxValue, bestPlain = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            extractor.Run(data, batchSize);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            clock.Restart();
            Plain(session, inputName, shape, data, batchSize);
            bestPlain = Math.Min(bestPlain, clock.Elapsed.TotalSeconds);
        }
        return new FeatureBenchmarkResult(best, bestPlain, data.Count);
    }

    private static float[] Plain(ModelSession session, string inputName, long[] shape, LabeledData data, int batchSize)
    {
        var output = new List<float>(data.Count);
        for (var start = 0; start < data.Count; start += batchSize)
        {
            var n = Math.Min(batchSize, data.Count - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data.Features.AsMemory(start * data.FeatureSize, n * data.FeatureSize), [n, .. shape]);
            using var results = session.Run(new Dictionary<string, OrtValue> { [inputName] = input });
            output.AddRange(results[0].GetTensorDataAsSpan<float>());
        }
        return [.. output];
    }
}
