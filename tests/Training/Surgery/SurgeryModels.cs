using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Training.Tests.Surgery;

/// <summary>Small models for cut and assembly tests, with seeded weights.</summary>
internal static class SurgeryModels
{
    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>X[N,6] → Gemm(6→5, transB) → Relu → Gemm(5→4, transB=0, alpha 0.5, beta 2) → LeakyRelu(0.1) → Gemm(4→3) → Softmax.</summary>
    public static OnnxModel Mlp() => new GraphBuilder()
        .Input("X", OnnxDataType.Float, "N", 6)
        .Output("Y", OnnxDataType.Float, "N", 3)
        .ValueInfo("h2", OnnxDataType.Float, "N", 4)
        .Initializer("W1", [5, 6], Values(30, 1)).Initializer("B1", [5], Values(5, 2))
        .Initializer("W2", [5, 4], Values(20, 3)).Initializer("B2", [1, 4], Values(4, 4))
        .Initializer("W3", [3, 4], Values(12, 5)).Initializer("B3", [3], Values(3, 6))
        .Node("Gemm", ["X", "W1", "B1"], ["z1"], "fc1", ("transB", 1L))
        .Node("Relu", ["z1"], ["h1"], "relu1")
        .Node("Gemm", ["h1", "W2", "B2"], ["z2"], "fc2", ("alpha", 0.5f), ("beta", 2f))
        .Node("LeakyRelu", ["z2"], ["h2"], "lrelu2", ("alpha", 0.1f))
        .Node("Gemm", ["h2", "W3", "B3"], ["logits"], "out", ("transB", 1L))
        .Node("Softmax", ["logits"], ["Y"], "softmax", ("axis", 1L))
        .Build();

    /// <summary>X[N,4] → MatMul(4→3) → Add(b first) → Tanh → MatMul(3→2) → Add → Sigmoid.</summary>
    public static OnnxModel MatMulMlp() => new GraphBuilder()
        .Input("X", OnnxDataType.Float, "N", 4)
        .Output("Y", OnnxDataType.Float, "N", 2)
        .Initializer("W1", [4, 3], Values(12, 7)).Initializer("B1", [3], Values(3, 8))
        .Initializer("W2", [3, 2], Values(6, 9)).Initializer("B2", [2], Values(2, 10))
        .Node("MatMul", ["X", "W1"], ["m1"], "mm1")
        .Node("Add", ["B1", "m1"], ["z1"], "add1")
        .Node("Tanh", ["z1"], ["h1"], "tanh1")
        .Node("MatMul", ["h1", "W2"], ["m2"], "mm2")
        .Node("Add", ["m2", "B2"], ["z2"], "add2")
        .Node("Sigmoid", ["z2"], ["Y"], "sigmoid")
        .Build();

    /// <summary>X[N,1,5,5] → Conv(3 ch, 3×3) → Relu → GlobalAveragePool → Flatten → Gemm(3→4) → Softmax.</summary>
    public static OnnxModel Cnn(bool declarePool) =>
        (declarePool
            ? new GraphBuilder().ValueInfo("pooled", OnnxDataType.Float, "N", 3, 1, 1)
            : new GraphBuilder())
        .Input("X", OnnxDataType.Float, "N", 1, 5, 5)
        .Output("Y", OnnxDataType.Float, "N", 4)
        .Initializer("K", [3, 1, 3, 3], Values(27, 11)).Initializer("KB", [3], Values(3, 12))
        .Initializer("W", [4, 3], Values(12, 13)).Initializer("B", [4], Values(4, 14))
        .Node("Conv", ["X", "K", "KB"], ["c"], "conv", ("kernel_shape", new long[] { 3, 3 }))
        .Node("Relu", ["c"], ["r"], "relu")
        .Node("GlobalAveragePool", ["r"], ["pooled"], "gap")
        .Node("Flatten", ["pooled"], ["flat"], "flatten", ("axis", 1L))
        .Node("Gemm", ["flat", "W", "B"], ["logits"], "fc", ("transB", 1L))
        .Node("Softmax", ["logits"], ["Y"], "softmax", ("axis", 1L))
        .Build();
}
