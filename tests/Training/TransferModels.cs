using OnnxBn.Folding;
using OnnxBn.Runtime;
using OnnxBn.Runtime.Data;
using OnnxBn.TestUtilities;

namespace OnnxBn.Training.Tests;

/// <summary>Small "model A" graphs and task-B-like data for the transfer pipeline tests.</summary>
internal static class TransferModels
{
    public static float[] Values(int count, ulong seed, float scale = 0.5f)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>[N,1,4,4] → Flatten → Gemm(16→8) → Relu → Gemm(8→6, transB=0) → Elu → Gemm(6→3) → Softmax.</summary>
    public static OnnxModel Mlp() => new GraphBuilder()
        .Input("input", OnnxDataType.Float, "N", 1, 4, 4)
        .Output("output", OnnxDataType.Float, "N", 3)
        .Initializer("W1", [8, 16], Values(128, 1)).Initializer("B1", [8], Values(8, 2))
        .Initializer("W2", [8, 6], Values(48, 3)).Initializer("B2", [6], Values(6, 4))
        .Initializer("W3", [3, 6], Values(18, 5)).Initializer("B3", [3], Values(3, 6))
        .Node("Flatten", ["input"], ["flat"], "flatten", ("axis", 1L))
        .Node("Gemm", ["flat", "W1", "B1"], ["z1"], "fc1", ("transB", 1L))
        .Node("Relu", ["z1"], ["h1"], "relu1")
        .Node("Gemm", ["h1", "W2", "B2"], ["z2"], "fc2")
        .Node("Elu", ["z2"], ["h2"], "elu2", ("alpha", 1.0f))
        .Node("Gemm", ["h2", "W3", "B3"], ["logits"], "out", ("transB", 1L))
        .Node("Softmax", ["logits"], ["output"], "softmax", ("axis", 1L))
        .Build();

    /// <summary>The MLP with a BatchNormalization between fc2 and its activation (folded before unfreezing).</summary>
    public static OnnxModel MlpWithBatchNorm() => new GraphBuilder()
        .Input("input", OnnxDataType.Float, "N", 16)
        .Output("output", OnnxDataType.Float, "N", 3)
        .Initializer("W1", [8, 16], Values(128, 1)).Initializer("B1", [8], Values(8, 2))
        .Initializer("gamma", [8], Values(8, 7).Select(v => 1 + v).ToArray()).Initializer("beta", [8], Values(8, 8))
        .Initializer("mean", [8], Values(8, 9)).Initializer("var", [8], Values(8, 10).Select(v => 1 + v).ToArray())
        .Initializer("W3", [3, 8], Values(24, 5)).Initializer("B3", [3], Values(3, 6))
        .Node("Gemm", ["input", "W1", "B1"], ["z1"], "fc1", ("transB", 1L))
        .Node("BatchNormalization", ["z1", "gamma", "beta", "mean", "var"], ["n1"], "bn1")
        .Node("Relu", ["n1"], ["h1"], "relu1")
        .Node("Gemm", ["h1", "W3", "B3"], ["logits"], "out", ("transB", 1L))
        .Node("Softmax", ["logits"], ["output"], "softmax", ("axis", 1L))
        .Build();

    /// <summary>
    /// A Keras Dense+BatchNormalization base as tf2onnx exports it (BN on rank &lt; 4 becomes Mul/Add):
    /// [N,16] → MatMul → Add(bias) → Mul(scale) → Add(shift) → Relu → MatMul → Add → Softmax.
    /// </summary>
    public static OnnxModel KerasDenseBatchNorm() => new GraphBuilder()
        .Input("input", OnnxDataType.Float, "N", 16)
        .Output("output", OnnxDataType.Float, "N", 3)
        .Initializer("kernel", [16, 8], Values(128, 21)).Initializer("bias", [8], Values(8, 22))
        .Initializer("bn_scale", [8], Values(8, 23).Select(v => 1 + v).ToArray()).Initializer("bn_shift", [8], Values(8, 24))
        .Initializer("kernel_out", [8, 3], Values(24, 25)).Initializer("bias_out", [3], Values(3, 26))
        .Node("MatMul", ["input", "kernel"], ["mm"], "dense/MatMul")
        .Node("Add", ["mm", "bias"], ["dense"], "dense/BiasAdd")
        .Node("Mul", ["dense", "bn_scale"], ["scaled"], "batch_normalization/mul_1")
        .Node("Add", ["scaled", "bn_shift"], ["normalized"], "batch_normalization/add_1")
        .Node("Relu", ["normalized"], ["h"], "activation/Relu")
        .Node("MatMul", ["h", "kernel_out"], ["mm_out"], "dense_1/MatMul")
        .Node("Add", ["mm_out", "bias_out"], ["logits"], "dense_1/BiasAdd")
        .Node("Softmax", ["logits"], ["output"], "dense_1/Softmax", ("axis", 1L))
        .Build();

    /// <summary>[N,1,4,4] → Conv(4 ch, 3×3, pad 1) → Relu → GlobalAveragePool → Flatten → Gemm(4→3) → Softmax.</summary>
    public static OnnxModel Cnn() => new GraphBuilder()
        .Input("input", OnnxDataType.Float, "N", 1, 4, 4)
        .Output("output", OnnxDataType.Float, "N", 3)
        .Initializer("K", [4, 1, 3, 3], Values(36, 11)).Initializer("KB", [4], Values(4, 12))
        .Initializer("W", [3, 4], Values(12, 13)).Initializer("B", [3], Values(3, 14))
        .Node("Conv", ["input", "K", "KB"], ["c"], "conv", ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }))
        .Node("Relu", ["c"], ["r"], "relu")
        .Node("GlobalAveragePool", ["r"], ["pooled"], "gap")
        .Node("Flatten", ["pooled"], ["flat"], "flatten", ("axis", 1L))
        .Node("Gemm", ["flat", "W", "B"], ["logits"], "fc", ("transB", 1L))
        .Node("Softmax", ["logits"], ["output"], "softmax", ("axis", 1L))
        .Build();

    /// <summary>Examples of 16 values in [0, 1] whose class (0/1) decides which half of the pixels is bright.</summary>
    public static LabeledData Images(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var features = new float[count * 16];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            labels[n] = random.NextInt(2);
            for (var p = 0; p < 16; p++)
                features[n * 16 + p] = (float)Math.Clamp(((p < 8) == (labels[n] == 1) ? 0.7 : 0.3) + random.NextGaussian() * 0.15, 0, 1);
        }
        return new LabeledData(features, labels, 16);
    }

    public static TransferData Data() => new(Images(160, 1), Images(40, 2), Images(50, 3));
}
