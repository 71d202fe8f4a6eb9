using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Benchmarking;

/// <summary>Small models for the benchmark tests, written to temporary files.</summary>
internal static class BenchTestModels
{
    /// <summary>y = Gemm(Relu(BN(Gemm(x))))  with x float [N,4]: one BN that folds backward into the first Gemm.</summary>
    public static string GemmBnRelu()
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 4)
            .Output("y", OnnxDataType.Float, "N", 3)
            .Initializer("W1", [4, 4], 0.1f, 0.2f, 0.3f, 0.4f, -0.1f, -0.2f, -0.3f, -0.4f, 0.5f, 0.5f, 0.5f, 0.5f, 1f, 0f, 0f, 1f)
            .Initializer("b1", [4], 0.1f, 0.1f, 0.1f, 0.1f)
            .Initializer("gamma", [4], 1f, 2f, 0.5f, 1.5f)
            .Initializer("beta", [4], 0f, 0.1f, -0.1f, 0.2f)
            .Initializer("mean", [4], 0.1f, 0f, 0.2f, -0.1f)
            .Initializer("var", [4], 1f, 0.5f, 2f, 1f)
            .Initializer("W2", [4, 3], 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f, 1f, 1f, 1f)
            .Node("Gemm", ["x", "W1", "b1"], ["h"], "fc1")
            .Node("BatchNormalization", ["h", "gamma", "beta", "mean", "var"], ["hn"], "bn")
            .Node("Relu", ["hn"], ["r"], "relu")
            .Node("Gemm", ["r", "W2"], ["y"], "fc2");
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnxbn-bench-test").FullName, "gemm_bn_relu.onnx");
        File.WriteAllBytes(path, builder.ToBytes());
        return path;
    }
}
