using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.DynamicViewFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// A BN before PyTorch's <c>x.view(x.size(0), -1)</c> folds forward into the Gemm/MatMul behind the view, in every
/// form the exporter writes the run-time shape (see <see cref="DynamicViewFixtures"/> for the graph).
/// </summary>
public sealed class DynamicViewTests
{
    [Fact]
    public void Folds_Through_Exported_View_And_The_Shape_Reads_The_Bn_Input()
    {
        var (model, report) = FoldAndCompare(ExporterView(13).Build());

        // as through Flatten: B' = [1·1, 2·1, 3·2, 4·2]; C' = 100 + 0.5·(1+2) − 3·(3+4) = 80.5
        Assert.DoesNotContain("BatchNormalization", model.OpTypes());
        Assert.Equal("x", model.Single("Shape").Input(0));
        Assert.Equal("x", model.Single("Reshape").Input(0));
        var gemm = model.Single("Gemm");
        Assert.Equal("f", gemm.Input(0));
        Assert.Equal([1.0, 2, 6, 8], model.Values(gemm.Input(1)));
        Assert.Equal([80.5], model.Values(gemm.Input(2)));
        Assert.True(model.IsGone("h"));
        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(17)]
    public void Folds_Through_Exported_View_With_Unsqueeze_Axes_As_Attribute_Or_Input(long opset)
    {
        var (_, report) = FoldAndCompare(ExporterView(opset).Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Folds_Through_View_Whose_Minus_One_Is_An_Unsqueezed_Scalar_Constant()
    {
        // do_constant_folding=False leaves -1 as a scalar Constant node with its own Unsqueeze
        var builder = View(13, b => b
            .BatchSize()
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Constant("minus_one", TensorData.Create<long>("", [], [-1]))
            .Unsqueeze(13, "minus_one", "minus_one1", "unsqueeze_1")
            .ConcatShape("n1", "minus_one1"));

        var (_, report) = FoldAndCompare(builder.Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Folds_Through_View_Whose_Gather_Takes_Indices_Vector_Without_Unsqueeze()
    {
        var builder = View(13, b => b
            .Node("Shape", ["h"], ["dims"], "shape_of")
            .Vector("index", 0)
            .Node("Gather", ["dims", "index"], ["n1"], "gather", ("axis", 0L))
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        var (_, report) = FoldAndCompare(builder.Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Folds_Through_View_To_Batch_And_Constant_Feature_Count()
    {
        var builder = View(13, b => b.BatchSize().Unsqueeze(13, "n", "n1", "unsqueeze").Vector("k", 4).ConcatShape("n1", "k"));

        var (model, report) = FoldAndCompare(builder.Build());

        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
        Assert.Equal([1.0, 2, 6, 8], model.Values(model.Single("Gemm").Input(1)));
    }

    [Fact]
    public void Folds_Through_View_With_Casts_To_Int64()
    {
        var builder = View(13, b => b
            .BatchSize()
            .Node("Cast", ["n"], ["n_cast"], "cast_n", ("to", (long)OnnxDataType.Int64))
            .Unsqueeze(13, "n_cast", "n1", "unsqueeze")
            .Initializer(TensorData.Create<int>("minus_one", [1], [-1]))
            .Node("Cast", ["minus_one"], ["minus_one64"], "cast_k", ("to", (long)OnnxDataType.Int64))
            .ConcatShape("n1", "minus_one64", "shape_raw")
            .Node("Cast", ["shape_raw"], ["shape"], "cast_shape", ("to", (long)OnnxDataType.Int64)));

        var (_, report) = FoldAndCompare(builder.Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Folds_Through_View_Whose_Batch_Size_Is_A_Shape_Slice_At_Opset_15()
    {
        var builder = View(15, b => b
            .Node("Shape", ["h"], ["n1"], "shape_of", ("start", 0L), ("end", 1L))
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        var (_, report) = FoldAndCompare(builder.Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Folds_Rank_2_Bn_Through_View_Into_MatMul_And_Its_Bias()
    {
        // x:[N,2] → BN → view(N, -1) → MatMul(W:[2,3]) → Add(b) → y; s = [1,2], t = [0.5,-3]
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2)
            .Output("y", OnnxDataType.Float, "N", 3)
            .Initializer("W", [2, 3], 1f, 2f, 3f, 4f, 5f, 6f)
            .Initializer("b", [3], 10f, 20f, 30f)
            .Bn("bn", "x", "h")
            .BatchSize()
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one")
            .Node("Reshape", ["h", "shape"], ["f"], "reshape")
            .Node("MatMul", ["f", "W"], ["p"], "fc")
            .Node("Add", ["p", "b"], ["y"], "fc_bias")
            .Build();

        var (folded, report) = FoldAndCompare(model);

        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
        // W' = diag(s)·W; b' = b + t·W = [10 + 0.5 − 12, 20 + 1 − 15, 30 + 1.5 − 18]
        Assert.Equal([1.0, 2, 3, 8, 10, 12], folded.Values(folded.Single("MatMul").Input(1)));
        Assert.Equal([-1.5, 6, 13.5], folded.Values(folded.Single("Add").Input(1)));
    }

    [Fact]
    public void Shape_And_Size_Readers_Do_Not_Block_A_Fold_And_Then_Read_The_Bn_Input()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2)
            .Output("y", OnnxDataType.Float, "N", 1)
            .Output("dims", OnnxDataType.Int64, 2)
            .Output("count", OnnxDataType.Int64)
            .Initializer("B", [1, 2], 1f, 2f)
            .Bn("bn", "x", "h")
            .Node("Gemm", ["h", "B"], ["y"], "fc", ("transB", 1L))
            .Node("Shape", ["h"], ["dims"], "shape_of")
            .Node("Size", ["h"], ["count"], "size_of")
            .Build();

        var report = FoldPass.Run(model);

        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
        Assert.Equal("x", model.Single("Shape").Input(0));
        Assert.Equal("x", model.Single("Size").Input(0));
    }

    [Fact]
    public void Keeps_Bn_Read_Only_By_A_Shape_Saying_There_Is_No_Linear_Op()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2)
            .Output("dims", OnnxDataType.Int64, 2)
            .Bn("bn", "x", "h")
            .Node("Shape", ["h"], ["dims"], "shape_of")
            .Build();

        var fate = Assert.Single(FoldPass.Run(model).Fates);

        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.Contains("no linear op to fold into", fate.Detail);
    }
}
