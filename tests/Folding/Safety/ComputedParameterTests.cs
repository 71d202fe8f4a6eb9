using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// Weights and BN parameters an exporter computes from initializers when it skips constant folding (torchvision's
/// FrozenBatchNorm2d, PyTorch's weight_norm) are constants: the fold evaluates them as ONNX defines the arithmetic,
/// folds, and removes what computed them.
/// </summary>
public sealed class ComputedParameterTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    /// <summary>
    /// x:[1,2,2,2] → Conv(W = identity, b) → c → Mul(c, Reshape(scale)) → Add(·, Reshape(shift)) → y, with
    /// scale = w·Reciprocal(Sqrt(rv + ε)) and shift = b − rm·scale, as torchvision's FrozenBatchNorm2d exports.
    /// </summary>
    private static GraphBuilder FrozenBatchNorm() => new GraphBuilder()
        .Input("x", Float, 1, 2, 2, 2)
        .Output("y", Float, 1, 2, 2, 2)
        .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
        .Initializer("b", [2], 1f, -1f)
        .Initializer("fbn.weight", [2], 2f, 3f).Initializer("fbn.bias", [2], 0.5f, -1f)
        .Initializer("fbn.running_mean", [2], 1f, 2f).Initializer("fbn.running_var", [2], 1f, 4f)
        .Initializer("eps", [], 1e-5f)
        .Initializer(TensorData.Create("shape", [4], new long[] { 1, -1, 1, 1 }.AsSpan()))
        .Node("Conv", ["x", "W", "b"], ["c"], "conv")
        .Node("Add", ["fbn.running_var", "eps"], ["v_eps"], "fbn/add_eps")
        .Node("Sqrt", ["v_eps"], ["std"], "fbn/sqrt")
        .Node("Reciprocal", ["std"], ["inv_std"], "fbn/reciprocal")
        .Node("Mul", ["fbn.weight", "inv_std"], ["scale"], "fbn/scale")
        .Node("Mul", ["fbn.running_mean", "scale"], ["mean_scaled"], "fbn/mean_scaled")
        .Node("Sub", ["fbn.bias", "mean_scaled"], ["shift"], "fbn/shift")
        .Node("Reshape", ["scale", "shape"], ["scale4"], "fbn/reshape_scale")
        .Node("Reshape", ["shift", "shape"], ["shift4"], "fbn/reshape_shift")
        .Node("Mul", ["c", "scale4"], ["scaled"], "fbn/mul")
        .Node("Add", ["scaled", "shift4"], ["y"], "fbn/add");

    [Fact]
    public void Frozen_Batch_Norm_Computed_From_Initializers_Folds_Into_The_Conv_And_Its_Arithmetic_Goes()
    {
        var original = FrozenBatchNorm().Build();
        var folded = FrozenBatchNorm().Build();

        var report = FoldPass.Run(folded);

        var fate = Assert.Single(report.Fates);
        Assert.Equal(("fbn/mul", "Mul+Add", BnOutcome.FoldedBackward), (fate.Node, fate.Kind, fate.Outcome));
        Assert.Equal(["Conv"], OpTypes(folded));
        Assert.Equal(2, folded.Graph.Initializers.Count());
        AssertSameOutputs(original, folded, Feed("x", Input(1, 2, 2, 2)));
    }

    [Fact]
    public void Weight_Norm_Conv_Weight_Is_A_Constant_A_Bn_Folds_Into()
    {
        // W = g · v / ‖v‖ per output channel (ReduceL2 over axes 1..3, keepdims), as torch's weight_norm exports it.
        var builder = new GraphBuilder()
            .Input("x", Float, 1, 2, 3, 3)
            .Output("y", Float, 1, 2, 3, 3)
            .Initializer("v", [2, 2, 1, 1], 1f, 2f, -3f, 4f)
            .Initializer("g", [2, 1, 1, 1], 0.5f, 2f)
            .BnParameters("bn")
            .Node("ReduceL2", ["v"], ["norm"], "wn/norm", ("axes", new long[] { 1, 2, 3 }), ("keepdims", 1L))
            .Node("Div", ["v", "norm"], ["direction"], "wn/div")
            .Node("Mul", ["g", "direction"], ["W"], "wn/mul")
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["y"], "bn");
        var original = builder.Build();
        var folded = builder.Build();

        var report = FoldPass.Run(folded);

        Assert.Equal("folded backward into conv", Assert.Single(report.Fates).Description);
        Assert.Equal(["Conv"], OpTypes(folded));
        AssertSameOutputs(original, folded, Feed("x", Input(1, 2, 3, 3)));
    }

    [Fact]
    public void A_Broadcast_Too_Large_To_Evaluate_Leaves_The_Bn_With_Its_Reason()
    {
        // [8192,1] + [1,4096] would be 32 M elements: left to the runtime, so the weight is no constant here.
        var builder = new GraphBuilder()
            .Input("x", Float, 1, 2, 2, 2)
            .Output("y", Float, 1, 2, 2, 2)
            .Initializer("tall", [8192, 1], new float[8192])
            .Initializer("wide", [1, 4096], new float[4096])
            .Initializer("pick", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .BnParameters("bn")
            .Node("Add", ["tall", "wide"], ["huge"], "huge")
            .Node("ReduceMax", ["huge"], ["zero"], "zero", ("keepdims", 0L))
            .Node("Add", ["pick", "zero"], ["W"], "weight")
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["y"], "bn");

        var report = FoldPass.Run(builder.Build());

        AssertKept(report, "bn", "Conv weight", "not a constant");
    }

    [Fact]
    public void A_Lone_Mul_By_A_Channel_Constant_That_Stays_Is_Not_Reported_As_A_Bn()
    {
        // Mul(x, s[2,1,1]) → Relu → padded Conv: nothing folds it, and a lone Mul is arithmetic, not a BN.
        var model = new GraphBuilder()
            .Input("x", Float, 1, 2, 3, 3)
            .Output("y", Float, 1, 2, 3, 3)
            .Initializer("s", [2, 1, 1], 2f, -3f)
            .Initializer("W", [2, 2, 3, 3], Enumerable.Range(0, 36).Select(i => (float)Math.Sin(i)).ToArray())
            .Node("Mul", ["x", "s"], ["m"], "scale")
            .Node("Relu", ["m"], ["r"], "relu")
            .Node("Conv", ["r", "W"], ["y"], "conv", ("pads", new long[] { 1, 1, 1, 1 }))
            .Build();

        var report = FoldPass.Run(model);

        Assert.Empty(report.Fates);
        Assert.Equal(["Mul", "Relu", "Conv"], OpTypes(model));
    }
}
