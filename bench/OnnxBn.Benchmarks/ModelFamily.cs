using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Benchmarks;

/// <summary>
/// Generated models with BatchNormalization for the scaling measurements: an MLP family (Gemm → BN → Relu, repeated)
/// and a CNN family (Conv 3×3 → BN → Relu, repeated). Weights are cheap pseudo-random values: only sizes matter.
/// </summary>
internal static class ModelFamily
{
    /// <summary>Depth layers of width × width Gemm + BN + Relu on x [N, width]; about depth·width² parameters.</summary>
    public static string Mlp(string directory, int width, int depth)
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", width)
            .Output($"h{depth}", OnnxDataType.Float, "N", width);
        var seed = 1u;
        for (var layer = 0; layer < depth; layer++)
        {
            builder.Initializer(TensorData.Create($"W{layer}", [width, width], Fill(width * width, 0.05f, ref seed)));
            builder.Initializer(TensorData.Create($"b{layer}", [width], Fill(width, 0.1f, ref seed)));
            AddBn(builder, $"bn{layer}", width, ref seed);
            builder.Node("Gemm", [layer == 0 ? "x" : $"h{layer}", $"W{layer}", $"b{layer}"], [$"g{layer}"], $"fc{layer}")
                .Node("BatchNormalization", [$"g{layer}", $"bn{layer}_s", $"bn{layer}_b", $"bn{layer}_m", $"bn{layer}_v"], [$"n{layer}"], $"bn{layer}")
                .Node("Relu", [$"n{layer}"], [$"h{layer + 1}"], $"relu{layer}");
        }
        return Write(directory, $"mlp_w{width}_d{depth}.onnx", builder);
    }

    /// <summary>Depth layers of channels → channels Conv 3×3 (pad 1) + BN + Relu on x [N, channels, 8, 8].</summary>
    public static string Cnn(string directory, int channels, int depth)
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", channels, 8, 8)
            .Output($"h{depth}", OnnxDataType.Float, "N", channels, 8, 8);
        var seed = 7u;
        for (var layer = 0; layer < depth; layer++)
        {
            builder.Initializer(TensorData.Create($"W{layer}", [channels, channels, 3, 3], Fill(channels * channels * 9, 0.02f, ref seed)));
            AddBn(builder, $"bn{layer}", channels, ref seed);
            builder.Node("Conv", [layer == 0 ? "x" : $"h{layer}", $"W{layer}"], [$"c{layer}"], $"conv{layer}",
                    ("pads", new long[] { 1, 1, 1, 1 }), ("kernel_shape", new long[] { 3, 3 }))
                .Node("BatchNormalization", [$"c{layer}", $"bn{layer}_s", $"bn{layer}_b", $"bn{layer}_m", $"bn{layer}_v"], [$"n{layer}"], $"bn{layer}")
                .Node("Relu", [$"n{layer}"], [$"h{layer + 1}"], $"relu{layer}");
        }
        return Write(directory, $"cnn_c{channels}_d{depth}.onnx", builder);
    }

    private static void AddBn(GraphBuilder builder, string name, int channels, ref uint seed)
    {
        var scale = Fill(channels, 0.5f, ref seed);
        var variance = Fill(channels, 0.5f, ref seed);
        for (var i = 0; i < channels; i++)
        {
            scale[i] += 1f;
            variance[i] += 1f;
        }
        builder.Initializer(TensorData.Create($"{name}_s", [channels], scale))
            .Initializer(TensorData.Create($"{name}_b", [channels], Fill(channels, 0.2f, ref seed)))
            .Initializer(TensorData.Create($"{name}_m", [channels], Fill(channels, 0.2f, ref seed)))
            .Initializer(TensorData.Create($"{name}_v", [channels], variance));
    }

    private static string Write(string directory, string name, GraphBuilder builder)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, builder.ToBytes());
        return path;
    }

    /// <summary>xorshift32 values in (-amplitude, amplitude): fast enough for 100 M parameters.</summary>
    private static float[] Fill(int count, float amplitude, ref uint state)
    {
        var values = new float[count];
        var s = state;
        for (var i = 0; i < count; i++)
        {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            values[i] = ((s & 0xFFFFFF) / (float)0x800000 - 1f) * amplitude;
        }
        state = s;
        return values;
    }
}
