using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Benchmark;

/// <summary>
/// Models where inference weighs more than in the bundled ones: Fashion-MNIST-shaped input, <c>layers</c> 3×3
/// convolutions of <c>channels</c> channels at 28×28, each with BN and ReLU, then global pooling and a linear layer to
/// 10 classes. cnn32x3 is about 15 M multiply-adds per image, cnn64x4 about 88 M.
/// </summary>
internal static class WideCnn
{
    /// <summary>The bench's name for the model, <c>cnn64x4</c>, or null when the name is not one of these.</summary>
    public static (int Channels, int Layers)? Parse(string name) =>
        name.StartsWith("cnn", StringComparison.Ordinal) && name[3..].Split('x') is [var c, var l] &&
        int.TryParse(c, out var channels) && int.TryParse(l, out var layers) ? (channels, layers) : null;

    public static byte[] Build(int width, int depth)
    {
        var random = new Random(7);
        float[] Weights(int count, double scale) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
        var builder = new GraphBuilder()
            .Input("input", OnnxDataType.Float, "N", 1, 28, 28)
            .Output("output", OnnxDataType.Float, "N", 10);
        var x = "input";
        var channels = 1;
        for (var layer = 0; layer < depth; layer++)
        {
            var p = $"c{layer}";
            builder.Initializer($"{p}_w", [width, channels, 3, 3], Weights(width * channels * 9, 2.0 / Math.Sqrt(channels * 9)))
                .Initializer($"{p}_b", [width], Weights(width, 0.1))
                .Initializer($"{p}_gamma", [width], Enumerable.Repeat(1f, width).ToArray())
                .Initializer($"{p}_beta", [width], Weights(width, 0.1))
                .Initializer($"{p}_mean", [width], Weights(width, 0.1))
                .Initializer($"{p}_var", [width], Enumerable.Repeat(1f, width).ToArray())
                .Node("Conv", [x, $"{p}_w", $"{p}_b"], [$"{p}_conv"], null, ("pads", new long[] { 1, 1, 1, 1 }))
                .Node("BatchNormalization", [$"{p}_conv", $"{p}_gamma", $"{p}_beta", $"{p}_mean", $"{p}_var"], [$"{p}_bn"])
                .Node("Relu", [$"{p}_bn"], [$"{p}_relu"]);
            x = $"{p}_relu";
            channels = width;
        }
        return builder
            .Initializer("fc_w", [width, 10], Weights(width * 10, 0.5))
            .Initializer("fc_b", [10], Weights(10, 0.1))
            .Node("GlobalAveragePool", [x], ["pooled"])
            .Node("Flatten", ["pooled"], ["flat"])
            .Node("Gemm", ["flat", "fc_w", "fc_b"], ["output"])
            .ToBytes();
    }
}
