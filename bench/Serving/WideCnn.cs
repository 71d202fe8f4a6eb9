using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Benchmark;

/// <summary>
/// A model where inference dominates a request's cost: Fashion-MNIST-shaped input, three 3×3 convolutions of 32
/// channels at 28×28, each with BN and ReLU (about 15 M multiply-adds per image, milliseconds on one core, against
/// a request's ~0.1-0.3 ms of HTTP and decoding), then global pooling and a linear layer to 10 classes.
/// </summary>
internal static class WideCnn
{
    public const string Name = "wide_cnn (synthetic)";

    public static byte[] Build()
    {
        var random = new Random(7);
        float[] Weights(int count, double scale) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
        var builder = new GraphBuilder()
            .Input("input", OnnxDataType.Float, "N", 1, 28, 28)
            .Output("output", OnnxDataType.Float, "N", 10);
        var x = "input";
        var channels = 1;
        for (var layer = 0; layer < 3; layer++)
        {
            var p = $"c{layer}";
            builder.Initializer($"{p}_w", [32, channels, 3, 3], Weights(32 * channels * 9, 2.0 / Math.Sqrt(channels * 9)))
                .Initializer($"{p}_b", [32], Weights(32, 0.1))
                .Initializer($"{p}_gamma", [32], Enumerable.Repeat(1f, 32).ToArray())
                .Initializer($"{p}_beta", [32], Weights(32, 0.1))
                .Initializer($"{p}_mean", [32], Weights(32, 0.1))
                .Initializer($"{p}_var", [32], Enumerable.Repeat(1f, 32).ToArray())
                .Node("Conv", [x, $"{p}_w", $"{p}_b"], [$"{p}_conv"], null, ("pads", new long[] { 1, 1, 1, 1 }))
                .Node("BatchNormalization", [$"{p}_conv", $"{p}_gamma", $"{p}_beta", $"{p}_mean", $"{p}_var"], [$"{p}_bn"])
                .Node("Relu", [$"{p}_bn"], [$"{p}_relu"]);
            x = $"{p}_relu";
            channels = 32;
        }
        return builder
            .Initializer("fc_w", [32, 10], Weights(320, 0.5))
            .Initializer("fc_b", [10], Weights(10, 0.1))
            .Node("GlobalAveragePool", [x], ["pooled"])
            .Node("Flatten", ["pooled"], ["flat"])
            .Node("Gemm", ["flat", "fc_w", "fc_b"], ["output"])
            .ToBytes();
    }
}
