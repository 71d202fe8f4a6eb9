using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Benchmarks;

/// <summary>
/// ONNX Runtime's offline optimizer through the official API alone, run by the suite as its own process
/// (<c>--ort-optimize IN OUT</c>): the fresh-process anchor of <c>onnxbn fold</c>. The same session as the in-process
/// anchor (<c>FoldBenchmark</c>): ENABLE_BASIC, which includes Conv+BN fusion, writing the optimized model, 1 thread.
/// </summary>
internal static class OrtOfflineOptimizer
{
    public static int Run(string input, string output)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            OptimizedModelFilePath = output,
            IntraOpNumThreads = 1,
        };
        using var session = new InferenceSession(input, options);
        return 0;
    }
}
