using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// Forward folds follow the channel axis through Transposes (any permutation, any chain) and other ops that only
/// move elements, then a Flatten: channel c reaches the linear op's input features wherever the path puts them
/// (ForwardFixtures.Bn: s = [1, 2], t = [0.5, -3]).
/// </summary>
public sealed class ForwardThroughTransposeTests
{
    [Fact]
    public void Bn_On_Axis_1_Folds_Through_A_Swap_Into_A_MatMul_On_The_Last_Axis()
    {
        // [N, C, L] → BN → Transpose(0,2,1) → [N, L, C] → MatMul(B [C, 3]).
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2, 3)
            .Output("y", OnnxDataType.Float, 2, 3, 3)
            .Initializer("B", [2, 3], 1f, 2f, 3f, 4f, 5f, 6f)
            .Bn("bn", "x", "h")
            .Node("Transpose", ["h"], ["t"], "swap", ("perm", new long[] { 0, 2, 1 }))
            .Node("MatMul", ["t", "B"], ["y"], "fc")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Transpose", "MatMul", "Add"], model.OpTypes());
        Assert.Equal("x", model.Single("Transpose").Input(0));
        // B' = diag(s)·B; bias = t·B = 0.5·[1,2,3] − 3·[4,5,6]
        Assert.Equal([1.0, 2, 3, 8, 10, 12], model.Values(model.Single("MatMul").Input(1)));
        Assert.Equal([-11.5, -14, -16.5], model.Values(model.Single("Add").Input(1)));
        Assert.Equal("folded forward into fc", Fate(report, "bn").Description);
        AssertSameOutputs(original, model, Feed("x", Input(2, 2, 3)));
    }

    [Fact]
    public void Bn_Folds_Through_An_Nhwc_Transpose_And_Flatten_With_Interleaved_Channels()
    {
        // [N, C, H, W] → BN → Transpose(0,2,3,1) → [N, H, W, C] → Flatten → Gemm: feature k reads channel k mod C.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 2, 3)
            .Initializer("B", [3, 8], [.. Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i + 1))])
            .Initializer("C", [3], 1f, 2f, 3f)
            .Bn("bn", "x", "h")
            .Node("Transpose", ["h"], ["t"], "to_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Flatten", ["t"], ["f"], "flatten")
            .Node("Gemm", ["f", "B", "C"], ["y"], "fc", ("transB", 1L))
            .Build();
        var original = model.Clone();

        FoldPass.Run(model);

        Assert.Equal(["Transpose", "Flatten", "Gemm"], model.OpTypes());
        double[] b = model.Values(model.Single("Gemm").Input(1));
        Assert.Equal(Math.Sin(1) * 1, b[0], 6);
        Assert.Equal(Math.Sin(2) * 2, b[1], 6);
        AssertSameOutputs(original, model, Feed("x", Input(2, 2, 2, 2)));
    }

    [Fact]
    public void Bn_Folds_Through_A_Transpose_And_Its_Inverse_Into_A_Conv()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
            .Output("y", OnnxDataType.Float, 1, 1, 3, 3)
            .Initializer("W", [1, 2, 1, 1], 1f, 1f)
            .Bn("bn", "x", "h")
            .Node("Transpose", ["h"], ["t1"], "to_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Identity", ["t1"], ["i"], "id")
            .Node("Transpose", ["i"], ["t2"], "to_nchw", ("perm", new long[] { 0, 3, 1, 2 }))
            .Node("Conv", ["t2", "W"], ["y"], "conv")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        Assert.DoesNotContain("BatchNormalization", model.OpTypes());
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 3, 3)));
    }

    [Fact]
    public void Transpose_Leaving_The_Channels_Off_Conv_Axis_1_Is_Declined_With_The_Axis()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 1, 2, 2)
            .Initializer("W", [1, 2, 1, 1], 1f, 1f)
            .Bn("bn", "x", "h")
            .Node("Transpose", ["h"], ["t"], "swap_hc", ("perm", new long[] { 0, 2, 1, 3 }))
            .Node("Conv", ["t", "W"], ["y"], "conv")
            .Build();

        AssertKept(FoldPass.Run(model), "bn", "scales axis 2, not Conv's channel axis 1");
    }

    [Fact]
    public void Transpose_Whose_Output_Branches_Is_Declined()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 3)
            .Output("y", OnnxDataType.Float, 1, 3, 2)
            .Output("z", OnnxDataType.Float, 1, 3, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Bn("bn", "x", "h")
            .Node("Transpose", ["h"], ["t"], "swap", ("perm", new long[] { 0, 2, 1 }))
            .Node("MatMul", ["t", "B"], ["y"], "fc")
            .Node("Sigmoid", ["t"], ["z"], "side")
            .Build();

        AssertKept(FoldPass.Run(model), "bn", "swap output feeds 2 nodes");
    }
}
