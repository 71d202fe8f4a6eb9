using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>Small models for the checker's tests, built with <see cref="GraphBuilder"/>.</summary>
internal static class VerificationModels
{
    /// <summary>y = x · w elementwise, x float [N,3]; output named <paramref name="output"/>.</summary>
    public static OnnxModel Scale(float[] w, string output = "y") =>
        new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3)
            .Output(output, OnnxDataType.Float, "N", 3)
            .Initializer("w", [3], w)
            .Node("Mul", ["x", "w"], [output])
            .Build();

    /// <summary>Two outputs: y = x · w and z = x + 1.</summary>
    public static OnnxModel TwoOutputs(float[] w, string second = "z") =>
        new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3)
            .Output("y", OnnxDataType.Float, "N", 3)
            .Output(second, OnnxDataType.Float, "N", 3)
            .Initializer("w", [3], w)
            .Initializer("one", [1], 1f)
            .Node("Mul", ["x", "w"], ["y"])
            .Node("Add", ["x", "one"], [second])
            .Build();

    /// <summary>y = ReduceSum(x · w) over axis 1 keeping dims: shape [N,1] instead of [N,3].</summary>
    public static OnnxModel Reduced(float[] w) =>
        new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3)
            .Output("y", OnnxDataType.Float, "N", 1)
            .Initializer("w", [3], w)
            .Initializer(TensorData.Create("axes", [1], new long[] { 1 }))
            .Node("Mul", ["x", "w"], ["m"])
            .Node("ReduceSum", ["m", "axes"], ["y"], null, ("keepdims", 1L))
            .Build();

    /// <summary>Conv(x [N,2,5,5], W [3,2,3,3], B, pads 1) → BatchNormalization → y [N,3,5,5]: foldable backward.</summary>
    public static OnnxModel ConvBn()
    {
        var random = new Random(7);
        float[] Values(int n, float lo, float hi) => Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextSingle()).ToArray();
        return new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2, 5, 5)
            .Output("y", OnnxDataType.Float, "N", 3, 5, 5)
            .Initializer("W", [3, 2, 3, 3], Values(54, -1, 1))
            .Initializer("B", [3], Values(3, -0.5f, 0.5f))
            .Initializer("gamma", [3], Values(3, 0.5f, 1.5f))
            .Initializer("beta", [3], Values(3, -0.2f, 0.2f))
            .Initializer("mean", [3], Values(3, -0.5f, 0.5f))
            .Initializer("var", [3], Values(3, 0.25f, 2f))
            .Node("Conv", ["x", "W", "B"], ["c"], "conv", ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn", ("epsilon", 1e-5f))
            .Build();
    }

    /// <summary>
    /// Conv(x [N,3,6,6], W [4,3,3,3]) → <paramref name="scaleOp"/>(·, a [4,1,1]) → <paramref name="shiftOp"/>(·, b [4,1,1]),
    /// or, <paramref name="forward"/>, the affine map on x [N,4,6,6] before the Conv (W [5,4,3,3], no padding).
    /// </summary>
    public static OnnxModel ConvAffine(string scaleOp, string? shiftOp, bool forward)
    {
        var random = new Random(17);
        float[] Values(int n, float lo, float hi) => Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextSingle()).ToArray();
        const int channels = 4;
        int inputs = forward ? channels : 3, outputs = forward ? 5 : channels;
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", inputs, 6, 6)
            .Output("y", OnnxDataType.Float, "N", outputs, 4, 4)
            .Initializer("W", [outputs, inputs, 3, 3], Values(outputs * inputs * 9, -1, 1))
            .Initializer("B", [outputs], Values(outputs, -0.5f, 0.5f))
            .Initializer("a", [channels, 1, 1], Values(channels, 0.5f, 2f))
            .Initializer("b", [channels, 1, 1], Values(channels, -0.5f, 0.5f));
        var affineInput = forward ? "x" : "c";
        var affineOutput = forward ? "affine" : "y";
        if (!forward)
            builder.Node("Conv", ["x", "W", "B"], ["c"], "conv");
        var scaled = shiftOp is null ? affineOutput : "scaled";
        builder.Node(scaleOp, [affineInput, "a"], [scaled], "scale");
        if (shiftOp is not null)
            builder.Node(shiftOp, [scaled, "b"], [affineOutput], "shift");
        if (forward)
            builder.Node("Conv", ["affine", "W", "B"], ["y"], "conv");
        return builder.Build();
    }

    /// <summary>A test double for a broken fold: multiplies output channel <paramref name="channel"/> of the folded Conv's weight by <paramref name="factor"/>.</summary>
    public static OnnxModel BreakChannel(OnnxModel folded, int channel, double factor)
    {
        var broken = folded.Clone();
        var conv = broken.Graph.Nodes.Single(n => n.Is("Conv"));
        var weight = broken.Graph.Initializer(conv.Input(1))!;
        var values = weight.ToDoubleArray();
        var perChannel = values.Length / (int)weight.Dims[0];
        for (var i = channel * perChannel; i < (channel + 1) * perChannel; i++)
            values[i] *= factor;
        broken.Graph.SetInitializer(TensorData.FromDoubles(weight.Name, weight.ElementType, weight.DimsArray(), values));
        return broken;
    }

    /// <summary>The repository root (where OnnxBn.sln is).</summary>
    public static string RepoRoot() => RepositoryPaths.Root;
}
