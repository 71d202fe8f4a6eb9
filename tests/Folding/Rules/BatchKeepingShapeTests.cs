using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.DynamicViewFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// Run-time Reshape shapes that are not the batch-keeping <c>[x.size(0), -1 | K]</c> of the very tensor reshaped:
/// the BN stays, and the report names the node that breaks the pattern.
/// </summary>
public sealed class BatchKeepingShapeTests
{
    private static void AssertKept(GraphBuilder builder, string reason)
    {
        var fate = Fate(builder);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.Contains(reason, fate.Detail);
    }

    [Fact]
    public void Keeps_Bn_When_The_Batch_Size_Comes_From_Another_Tensor()
    {
        var builder = View(13, b => b
            .Input("z", OnnxDataType.Float, "N", 4)
            .BatchSize(of: "z")
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        AssertKept(builder, "shape_of reads 'z', not 'h' that reshape reshapes");
    }

    [Fact]
    public void Keeps_Bn_When_Gather_Takes_Dim_1()
    {
        var builder = View(13, b => b.BatchSize(index: 1).Unsqueeze(13, "n", "n1", "unsqueeze").Vector("minus_one", -1).ConcatShape("n1", "minus_one"));

        AssertKept(builder, "gather takes dim 1 of 'h', not the batch dim 0");
    }

    [Fact]
    public void Gather_Index_Minus_Rank_Is_The_Batch_Dim()
    {
        var builder = View(13, b => b.BatchSize(index: -4).Unsqueeze(13, "n", "n1", "unsqueeze").Vector("minus_one", -1).ConcatShape("n1", "minus_one"));

        Assert.Equal(BnOutcome.FoldedForward, Fate(builder).Outcome);
    }

    [Fact]
    public void Folds_Through_Traced_View_Whose_Batch_Size_Was_Baked_In_As_A_Constant()
    {
        // exported without dynamic_axes and without constant folding: [3, -1] from Unsqueezed scalar Constants; the
        // per-sample size 2·2·1 is static, so the constant batch entry is safe
        var builder = View(13, b => b
            .Constant("batch", TensorData.Create<long>("", [], [3]))
            .Unsqueeze(13, "batch", "batch1", "unsqueeze")
            .Constant("minus_one", TensorData.Create<long>("", [], [-1]))
            .Unsqueeze(13, "minus_one", "minus_one1", "unsqueeze_1")
            .ConcatShape("batch1", "minus_one1"));

        var (_, report) = FoldAndCompare(builder.Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Keeps_Bn_When_Concat_Puts_The_Batch_Size_Last()
    {
        var builder = View(13, b => b.BatchSize().Unsqueeze(13, "n", "n1", "unsqueeze").Vector("minus_one", -1).ConcatShape("minus_one", "n1"));

        AssertKept(builder, "reshape reshapes to [-1,N]: its features entry is the batch size, not -1 or K");
    }

    [Fact]
    public void Keeps_Bn_When_The_View_Keeps_More_Than_Two_Dims()
    {
        var builder = View(13, b => b
            .BatchSize().Unsqueeze(13, "n", "n1", "unsqueeze")
            .Initializer(TensorData.Create<long>("rest", [2], [2, -1]))
            .Node("Concat", ["n1", "rest"], ["shape"], "concat", ("axis", 0L)));

        AssertKept(builder, "reshape reshapes to [N,2,-1], not [N, K]");
    }

    [Fact]
    public void Keeps_Bn_When_Unsqueeze_Inserts_Another_Axis()
    {
        var builder = View(11, b => b
            .BatchSize()
            .Node("Unsqueeze", ["n"], ["n1"], "unsqueeze", ("axes", new long[] { 1 }))
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        AssertKept(builder, "unsqueeze has axes [1], not [0]");
    }

    [Fact]
    public void Keeps_Bn_When_The_Shape_Is_Cast_To_Int32()
    {
        var builder = View(13, b => b
            .BatchSize()
            .Node("Cast", ["n"], ["n32"], "cast_n", ("to", (long)OnnxDataType.Int32))
            .Unsqueeze(13, "n32", "n1", "unsqueeze")
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        AssertKept(builder, "cast_n casts reshape's shape to int32, not int64");
    }

    [Fact]
    public void Keeps_Bn_When_The_Shape_Is_Computed_By_Arithmetic()
    {
        var builder = View(13, b => b
            .BatchSize()
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one", "raw")
            .Vector("one", 1)
            .Node("Mul", ["raw", "one"], ["shape"], "scale_shape"));

        AssertKept(builder, "reshape shape comes from Mul scale_shape, not from constants, Shape, Gather, Unsqueeze, Concat or Cast");
    }

    [Fact]
    public void Keeps_Bn_When_The_Shape_Is_A_Graph_Input()
    {
        var builder = View(13, b => b.Input("shape", OnnxDataType.Int64, 2));

        AssertKept(builder, "reshape shape 'shape' is a graph input, not a constant");
    }

    [Fact]
    public void Keeps_Bn_When_The_Shape_Slice_Takes_Every_Dim()
    {
        var builder = View(15, b => b
            .Node("Shape", ["h"], ["dims"], "shape_of", ("start", 0L))
            .Vector("minus_one", -1)
            .ConcatShape("dims", "minus_one"));

        AssertKept(builder, "shape_of gives more dims of 'h' than the batch dim");
    }
}
