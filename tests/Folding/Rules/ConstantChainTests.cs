using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// Constants behind Cast/Identity/Reshape/Unsqueeze (mixed-precision exports keep float16 initializers and Cast them
/// to float): BN parameters and Conv/Gemm weights read through such chains fold, the new weights are written in the
/// type the consumer reads, and the chains that only fed the fold are removed.
/// </summary>
public sealed class ConstantChainTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    private static TensorData Half16(string name, long[] dims, params double[] values) =>
        TensorData.FromDoubles(name, OnnxDataType.Float16, dims, values);

    /// <summary>
    /// x:[1,2,2,2] → Conv(Cast(W16)) → BN(Cast(γ16), Identity(β), Cast(mean16), var) → y: every constant but var
    /// reaches its reader through a chain.
    /// </summary>
    private static GraphBuilder MixedPrecisionConvBn(bool relu = false) => new GraphBuilder()
        .Input("x", Float, 1, 2, 2, 2)
        .Output("y", Float, 1, 2, 2, 2)
        .Initializer(Half16("W16", [2, 2, 1, 1], 1, 0.5, -0.25, 1))
        .Node("Cast", ["W16"], ["W"], "cast_w", ("to", 1L))
        .Initializer(Half16("g16", [2], 2, 3))
        .Node("Cast", ["g16"], ["gamma"], "cast_g", ("to", 1L))
        .Initializer("beta_src", [2], 0.5f, -1f)
        .Node("Identity", ["beta_src"], ["beta"], "id_b")
        .Initializer(Half16("m16", [2], 1, 2))
        .Node("Cast", ["m16"], ["mean"], "cast_m", ("to", 1L))
        .Initializer("var", [2], 1f, 4f)
        .Node(relu ? "Relu" : "Conv", relu ? ["x"] : ["x", "W"], ["c"], relu ? "relu" : "conv")
        .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn", ("epsilon", 0f));

    [Fact]
    public void Bn_With_Cast_Parameters_Folds_Into_A_Conv_With_A_Cast_Weight()
    {
        var model = MixedPrecisionConvBn().Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv", Fate(report, "bn").Description);
        Assert.Equal(["Conv"], OpTypes(model));
        var conv = model.Graph.Nodes[0];
        // Written in the consumer's type: the Conv reads float, so the folded weight is float, not float16.
        Assert.Equal(Float, Constant(model, conv.Input(1)).ElementType);
        Assert.Equal(Float, Constant(model, conv.Input(2)).ElementType);
        Assert.DoesNotContain(model.Graph.Initializers, t => t.Name is "W16" or "g16" or "m16" or "beta_src");
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 2, 2)));
    }

    [Fact]
    public void Kept_Bn_No_Longer_Says_Its_Cast_Scale_Is_Not_A_Constant()
    {
        // Relu → BN: nothing to fold into, but the reason must be that, not "scale is not a constant".
        var model = MixedPrecisionConvBn(relu: true).Build();

        var report = FoldPass.Run(model);

        var fate = Fate(report, "bn");
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.DoesNotContain("not a constant", fate.Detail);
        Assert.Contains(model.Graph.Nodes, n => n.Name == "cast_g");
    }

    [Fact]
    public void A_Shared_Cast_Weight_Stays_For_Its_Other_Reader()
    {
        // Two Convs read the same Cast(W16); only one is followed by a BN.
        var model = MixedPrecisionConvBn()
            .Output("z", Float, 1, 2, 2, 2)
            .Node("Conv", ["x", "W"], ["z"], "conv2")
            .Build();
        var original = model.Clone();

        FoldPass.Run(model);

        Assert.Contains(model.Graph.Nodes, n => n.Name == "cast_w");
        Assert.Equal("W", model.Graph.Nodes.Single(n => n.Name == "conv2").Input(1));
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 2, 2)));
    }

    [Fact]
    public void Gemm_Bias_Behind_Reshape_And_Unsqueeze_Folds()
    {
        // C = Unsqueeze(Reshape(c0, [2]), axes [0]) : [1, 2]; B = Cast(B16).
        var model = new GraphBuilder()
            .Input("x", Float, "N", 3)
            .Output("y", Float, "N", 2)
            .Initializer(Half16("B16", [2, 3], 1, 2, 3, -1, 0.5, 0.25))
            .Node("Cast", ["B16"], ["B"], "cast_b", ("to", 1L))
            .Initializer("c0", [2, 1], 0.5f, -2f)
            .Initializer(TensorData.Create<long>("shape", [1], [2]))
            .Node("Reshape", ["c0", "shape"], ["c1"], "reshape_c")
            .Initializer(TensorData.Create<long>("axes", [1], [0]))
            .Node("Unsqueeze", ["c1", "axes"], ["C"], "unsqueeze_c")
            .Node("Gemm", ["x", "B", "C"], ["g"], "fc", ("transB", 1L))
            .Bn("bn", "g", "y")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into fc", Fate(report, "bn").Description);
        Assert.Equal(["Gemm"], OpTypes(model));
        AssertSameOutputs(original, model, Feed("x", Input(3, 3)));
    }

    [Fact]
    public void Cast_Rounds_To_The_Target_Type_As_Onnx_Does()
    {
        // float → float16 → float: the BN sees the rounded γ (1/3 in float16), not the float32 one.
        var third = 1f / 3f;
        var model = new GraphBuilder()
            .Input("x", Float, 1, 1, 1, 1)
            .Output("y", Float, 1, 1, 1, 1)
            .Initializer("W", [1, 1, 1, 1], 1f)
            .Initializer("g32", [1], third)
            .Node("Cast", ["g32"], ["g16"], "to_half", ("to", 10L))
            .Node("Cast", ["g16"], ["gamma"], "to_float", ("to", 1L))
            .Initializer("beta", [1], 0f)
            .Initializer("mean", [1], 0f)
            .Initializer("var", [1], 1f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn", ("epsilon", 0f))
            .Build();

        FoldPass.Run(model);

        double folded = Constant(model, model.Graph.Nodes[0].Input(1)).ToDoubleArray()[0];
        Assert.Equal((double)(float)(double)(Half)third, folded);
        Assert.NotEqual((double)third, folded);
    }

    [Fact]
    public void A_Cast_Of_A_Graph_Input_Is_Not_A_Constant()
    {
        var model = new GraphBuilder()
            .Input("x", Float, 1, 2, 2, 2)
            .Input("W16", OnnxDataType.Float16, 2, 2, 1, 1)
            .Output("y", Float, 1, 2, 2, 2)
            .Node("Cast", ["W16"], ["W"], "cast_w", ("to", 1L))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Bn("bn", "c", "y")
            .Build();

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "Conv weight is not a constant");
    }
}
