using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.DynamicViewFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// Run-time Reshape targets other than PyTorch's exported view: the BN folds forward whenever the shape inference
/// shows the Reshape output is [N, P] (N the input's batch dim, P its per-sample size), however the target was
/// computed; otherwise it stays, and the report says what the inference found.
/// </summary>
public sealed class ReshapeTargetTests
{
    private static void AssertKept(GraphBuilder builder, string reason)
    {
        var fate = Fate(builder);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.Contains(reason, fate.Detail);
    }

    /// <summary>Shape(h) → Slice([<paramref name="start"/>], [<paramref name="end"/>]) → <paramref name="output"/> (opset 10 inputs).</summary>
    private static GraphBuilder ShapeSlice(GraphBuilder b, long start, long end, string output) => b
        .Node("Shape", ["h"], ["dims"], "shape_of")
        .Vector("start", start)
        .Vector("end", end)
        .Node("Slice", ["dims", "start", "end"], [output], "slice");

    [Fact]
    public void Folds_Through_Reshape_To_A_Slice_Of_The_Shape_And_Minus_One()
    {
        // torch.flatten(x, 1) as some exporters write it: Concat(Slice(Shape(x), 0, 1), [-1])
        var builder = View(13, b => ShapeSlice(b, 0, 1, "n1").Vector("minus_one", -1).ConcatShape("n1", "minus_one"));

        var (model, report) = FoldAndCompare(builder.Build());

        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
        Assert.Equal("x", model.Single("Reshape").Input(0));
        Assert.Equal([1.0, 2, 6, 8], model.Values(model.Single("Gemm").Input(1)));
        Assert.Equal([80.5], model.Values(model.Single("Gemm").Input(2)));
    }

    [Fact]
    public void Folds_Through_Reshape_To_The_Batch_Size_And_A_Product_Of_Gathered_Dims()
    {
        // Keras/TF-style x.reshape(x.shape[0], x.shape[1] * x.shape[2] * x.shape[3])
        var builder = View(13, b => b
            .BatchSize()
            .Node("Gather", ["dims", "i1"], ["d1"], "gather_1", ("axis", 0L))
            .Node("Gather", ["dims", "i2"], ["d2"], "gather_2", ("axis", 0L))
            .Node("Gather", ["dims", "i3"], ["d3"], "gather_3", ("axis", 0L))
            .Constant("i1", TensorData.Create<long>("", [], [1]))
            .Constant("i2", TensorData.Create<long>("", [], [2]))
            .Constant("i3", TensorData.Create<long>("", [], [3]))
            .Node("Mul", ["d1", "d2"], ["d12"], "mul_12")
            .Node("Mul", ["d12", "d3"], ["features"], "mul_123")
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Unsqueeze(13, "features", "features1", "unsqueeze_1")
            .ConcatShape("n1", "features1"));

        var (model, report) = FoldAndCompare(builder.Build());

        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
        Assert.Equal([1.0, 2, 6, 8], model.Values(model.Single("Gemm").Input(1)));
        Assert.Equal([80.5], model.Values(model.Single("Gemm").Input(2)));
    }

    [Fact]
    public void Keeps_Bn_When_A_Computed_Reshape_Splits_Samples()
    {
        // [-1, C] from Concat([-1], Slice(Shape(h), 1, 2)): rows of 2 elements, half a sample each
        var builder = View(13, b => ShapeSlice(b, 1, 2, "c").Vector("minus_one", -1).ConcatShape("minus_one", "c"));

        AssertKept(builder, "reshape reshapes to [-1,2], which splits samples of 4 elements");
    }

    [Fact]
    public void Folds_When_The_Batch_Size_Comes_From_Another_Tensor_With_The_Same_Symbol()
    {
        // z:[N,4] shares the dim_param N with x, so z's dim 0 is x's batch size
        var builder = View(13, b => b
            .Input("z", OnnxDataType.Float, "N", 4)
            .BatchSize(of: "z")
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        Assert.Equal(BnOutcome.FoldedForward, Fate(builder).Outcome);
    }

    [Fact]
    public void Keeps_Bn_When_Gather_Takes_Dim_1()
    {
        var builder = View(13, b => b.BatchSize(index: 1).Unsqueeze(13, "n", "n1", "unsqueeze").Vector("minus_one", -1).ConcatShape("n1", "minus_one"));

        AssertKept(builder, "reshape reshapes to [2,-1], giving [2,?]: neither is dim 0 the batch dim N of 'h' nor dim 1 a static size");
    }

    [Fact]
    public void Gather_Index_Minus_Rank_Is_The_Batch_Dim()
    {
        var builder = View(13, b => b.BatchSize(index: -4).Unsqueeze(13, "n", "n1", "unsqueeze").Vector("minus_one", -1).ConcatShape("n1", "minus_one"));

        Assert.Equal(BnOutcome.FoldedForward, Fate(builder).Outcome);
    }

    [Fact]
    public void Keeps_Bn_When_A_Baked_In_Batch_Size_Is_Not_The_Symbolic_Batch()
    {
        // exported without dynamic_axes but declared with a symbolic N: [3, -1] is [3, 4N/3], not [N, 4]
        var builder = View(13, b => b
            .Constant("batch", TensorData.Create<long>("", [], [3]))
            .Unsqueeze(13, "batch", "batch1", "unsqueeze")
            .Constant("minus_one", TensorData.Create<long>("", [], [-1]))
            .Unsqueeze(13, "minus_one", "minus_one1", "unsqueeze_1")
            .ConcatShape("batch1", "minus_one1"));

        AssertKept(builder, "reshape reshapes to [3,-1], giving [3,?]: neither is dim 0 the batch dim N of 'h' nor dim 1 a static size");
    }

    [Fact]
    public void Keeps_Bn_When_Concat_Puts_The_Batch_Size_Last()
    {
        var builder = View(13, b => b.BatchSize().Unsqueeze(13, "n", "n1", "unsqueeze").Vector("minus_one", -1).ConcatShape("minus_one", "n1"));

        AssertKept(builder, "reshape reshapes to [-1,N], giving [4,N]: neither is dim 0 the batch dim N of 'h' nor dim 1 a static size");
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
        // Unsqueeze(axes [1]) of a scalar is malformed: the target's length, the output rank, is unknown
        var builder = View(11, b => b
            .BatchSize()
            .Node("Unsqueeze", ["n"], ["n1"], "unsqueeze", ("axes", new long[] { 1 }))
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one"));

        AssertKept(builder, "reshape reshapes to 'shape', whose length (the output rank) cannot be told");
    }

    [Fact]
    public void Folds_When_Shape_Arithmetic_Keeps_The_Batch()
    {
        var builder = View(13, b => b
            .BatchSize()
            .Unsqueeze(13, "n", "n1", "unsqueeze")
            .Vector("minus_one", -1)
            .ConcatShape("n1", "minus_one", "raw")
            .Vector("one", 1)
            .Node("Mul", ["raw", "one"], ["shape"], "scale_shape"));

        var (_, report) = FoldAndCompare(builder.Build());

        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Keeps_Bn_When_The_Shape_Is_A_Graph_Input()
    {
        var builder = View(13, b => b.Input("shape", OnnxDataType.Int64, 2));

        AssertKept(builder, "reshape reshapes to 'shape', giving [?,?]: neither is dim 0 the batch dim N of 'h' nor dim 1 a static size");
    }

    [Fact]
    public void Keeps_Bn_When_The_Shape_Slice_Takes_Every_Dim()
    {
        var builder = View(15, b => b
            .Node("Shape", ["h"], ["dims"], "shape_of", ("start", 0L))
            .Vector("minus_one", -1)
            .ConcatShape("dims", "minus_one"));

        AssertKept(builder, "reshape reshapes to [N,2,2,1,-1], not [N, K]");
    }
}
