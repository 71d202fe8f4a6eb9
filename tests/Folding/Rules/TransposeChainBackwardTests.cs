using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// tf2onnx before its transpose optimizer writes NHWC↔NCHW Transpose pairs between a Conv and its BN. The BN folds
/// backward through the whole chain when the composed permutation takes its channel axis onto the Conv's channels,
/// and is kept naming the composed permutation and both axes when it does not.
/// </summary>
public sealed class TransposeChainBackwardTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    private static float[] Ramp(int n, double phase = 0) => Enumerable.Range(0, n).Select(i => (float)Math.Sin(0.7 * i + phase)).ToArray();

    [Fact]
    public void Tf2onnx_Nhwc_Pair_Between_Conv_And_Bn_Folds_Through_Both_Transposes()
    {
        // x:[N,3,3,2] NHWC → Transpose(0,3,1,2) → Conv → Transpose(0,2,3,1) → Transpose(0,3,1,2) → BN → Transpose(0,2,3,1) → Relu.
        var model = new GraphBuilder()
            .Input("x", Float, "N", 3, 3, 2)
            .Output("y", Float, "N", 3, 3, 2)
            .Initializer("W", [2, 2, 1, 1], Ramp(4))
            .Initializer("b", [2], 0.5f, -1f)
            .Node("Transpose", ["x"], ["x_nchw"], "in_nchw", ("perm", new long[] { 0, 3, 1, 2 }))
            .Node("Conv", ["x_nchw", "W", "b"], ["c"], "conv")
            .Node("Transpose", ["c"], ["c_nhwc"], "to_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Transpose", ["c_nhwc"], ["c_nchw"], "to_nchw", ("perm", new long[] { 0, 3, 1, 2 }))
            .Bn("bn", "c_nchw", "n")
            .Node("Transpose", ["n"], ["n_nhwc"], "out_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Relu", ["n_nhwc"], ["y"], "relu")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv (through to_nhwc, to_nchw)", Fate(report, "bn").Description);
        Assert.Equal(["Transpose", "Conv", "Transpose", "Transpose", "Transpose", "Relu"], OpTypes(model));
        Assert.Equal("n", model.Graph.Nodes.Single(n => n.Name == "to_nchw").Output(0));
        AssertSameOutputs(original, model, Feed("x", Input(2, 3, 3, 2)));
    }

    [Fact]
    public void Ndhwc_Pair_Between_Conv3d_And_Bn_Folds()
    {
        // c:[N,2,2,3,3] → Transpose(0,2,3,4,1) → [N,2,3,3,2] → Transpose(0,4,1,2,3) → [N,2,2,3,3] → BN (axis 1 = channels).
        var model = new GraphBuilder()
            .Input("x", Float, "N", 3, 2, 3, 3)
            .Output("y", Float, "N", 2, 2, 3, 3)
            .Initializer("W", [2, 3, 1, 1, 1], Ramp(6))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["c_ndhwc"], "to_ndhwc", ("perm", new long[] { 0, 2, 3, 4, 1 }))
            .Node("Transpose", ["c_ndhwc"], ["c_ncdhw"], "to_ncdhw", ("perm", new long[] { 0, 4, 1, 2, 3 }))
            .Bn("bn", "c_ncdhw", "y")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(["Conv", "Transpose", "Transpose"], OpTypes(model));
        AssertSameOutputs(original, model, Feed("x", Input(2, 3, 2, 3, 3)));
    }

    [Fact]
    public void Chain_That_Takes_The_Bn_Axis_To_A_Spatial_Axis_Is_Kept_Naming_The_Composed_Perm()
    {
        // c:[N,4,2,3] → Transpose(0,2,3,1) → [N,2,3,4] → Transpose(0,1,3,2) → [N,2,4,3]: BN's axis 1 is the Conv's H.
        var model = new GraphBuilder()
            .Input("x", Float, "N", 2, 2, 3)
            .Output("y", Float, "N", 2, 4, 3)
            .Initializer("W", [4, 2, 1, 1], Ramp(8))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["t1"], "t1", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Transpose", ["t1"], ["t2"], "t2", ("perm", new long[] { 0, 1, 3, 2 }))
            .Bn("bn", "t2", "y")
            .Build();

        var report = FoldPass.Run(model);

        AssertKept(report, "bn",
            "Linear←Transpose←BN: Conv←BN (the Transposes t1 → t2 compose to perm [0,2,1,3], which takes the BN's axis 1 "
            + "to axis 2 of their input): scales axis 2, not Conv's channel axis 1");
    }

    [Fact]
    public void Chain_Whose_Inner_Transpose_Branches_Is_Kept_Saying_Where_It_Stops()
    {
        var model = new GraphBuilder()
            .Input("x", Float, "N", 2, 3, 3)
            .Output("y", Float, "N", 2, 3, 3)
            .Output("c_nhwc", Float, "N", 3, 3, 2)
            .Initializer("W", [2, 2, 1, 1], Ramp(4))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["c_nhwc"], "to_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Transpose", ["c_nhwc"], ["c_nchw"], "to_nchw", ("perm", new long[] { 0, 3, 1, 2 }))
            .Bn("bn", "c_nchw", "y")
            .Build();

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "the Transposes cannot be followed further back: to_nhwc output is also a graph output");
    }
}
