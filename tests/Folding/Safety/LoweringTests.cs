using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>--lower-unfolded: a BN no rule can fold becomes exactly one Mul and one Add computing the same values.</summary>
public sealed class LoweringTests
{
    private static readonly FoldOptions Lower = new() { LowerUnfolded = true };

    /// <summary>x:[1,2,3,3] → BN → h → Conv(W [2,2,3,3], pads 1) → y: a padded Conv cannot absorb the shift.</summary>
    private static GraphBuilder BnThenPaddedConv() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
        .Output("y", OnnxDataType.Float, 1, 2, 3, 3)
        .Bn("bn", "x", "h")
        .Initializer("W", [2, 2, 3, 3], Enumerable.Range(0, 36).Select(i => (float)Math.Cos(i)).ToArray())
        .Node("Conv", ["h", "W"], ["y"], "conv", ("pads", new long[] { 1, 1, 1, 1 }));

    [Fact]
    public void Bn_Before_A_Padded_Conv_Becomes_One_Mul_And_One_Add()
    {
        var builder = BnThenPaddedConv();
        var original = builder.Build();
        var model = builder.Build();
        var report = FoldPass.Run(model, Lower);

        var fate = Fate(report, "bn");
        Assert.Equal(BnOutcome.Lowered, fate.Outcome);
        Assert.StartsWith("lowered to Mul+Add", fate.Description);
        Assert.Equal((0, 1, 0), (report.Folded, report.Lowered, report.Kept));
        Assert.Equal(["Mul", "Add", "Conv"], OpTypes(model));
        Assert.Equal("h", model.Graph.Nodes[1].Output(0));
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 3, 3)));
    }

    [Fact]
    public void Lowered_Constants_Are_S_And_T_Shaped_To_Broadcast_Over_The_Channel_Axis()
    {
        var model = BnThenPaddedConv().Build();
        FoldPass.Run(model, Lower);

        var mul = model.Graph.Nodes[0];
        var add = model.Graph.Nodes[1];
        var s = Constant(model, mul.Input(1));
        var t = Constant(model, add.Input(1));
        Assert.Equal([2L, 1, 1], s.Dims);
        Assert.Equal([2.0, 1.5], s.ToDoubleArray());
        Assert.Equal([-1.5, -4.0], t.ToDoubleArray());
        Assert.Equal(OnnxDataType.Float, s.ElementType);
    }

    [Fact]
    public void Bn_Whose_Output_Is_A_Graph_Output_Is_Lowered_And_Keeps_The_Output_Name()
    {
        var builder = ConvBn().Output("c", OnnxDataType.Float, 1, 2, 2, 2);
        var original = builder.Build();
        var model = builder.Build();
        var report = FoldPass.Run(model, Lower);

        Assert.Equal(BnOutcome.Lowered, Fate(report, "bn").Outcome);
        Assert.Equal(["Conv", "Mul", "Add"], OpTypes(model));
        Assert.Equal(["y", "c"], model.Graph.Outputs.Select(o => o.Name));
        Assert.Equal("y", model.Graph.Nodes[2].Output(0));
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 2, 2)));
    }

    [Fact]
    public void Without_The_Option_An_Unfoldable_Bn_Is_Left_Untouched()
    {
        var model = BnThenPaddedConv().Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "padded Conv");
        Assert.Equal(["BatchNormalization", "Conv"], OpTypes(model));
    }

    [Fact]
    public void Bn_Whose_Input_Rank_Is_Unknown_Is_Kept_Saying_Why_It_Was_Not_Lowered()
    {
        // The Reshape's target shape is a graph input of symbolic length, so nothing tells the rank of r.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Input("shape", OnnxDataType.Int64, "k")
            .OutputWithoutShape("y", OnnxDataType.Float)
            .Node("Reshape", ["x", "shape"], ["r"], "reshape")
            .Bn("bn", "r", "y")
            .Build();
        var report = FoldPass.Run(model, Lower);

        AssertKept(report, "bn", "not lowered: rank of the input is unknown");
        Assert.Equal(["Reshape", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Training_Mode_Bn_Is_Not_Lowered()
    {
        var model = ConvBn(14, null, ("training_mode", 1L)).Output("c", OnnxDataType.Float, 1, 2, 2, 2).Build();
        var report = FoldPass.Run(model, Lower);

        AssertKept(report, "bn", "training mode");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Lowering_Then_Folding_Again_With_Lowering_Changes_Nothing()
    {
        var model = BnThenPaddedConv().Build();
        FoldPass.Run(model, Lower);
        byte[] once = model.ToBytes();

        var again = FoldPass.Run(model, Lower);

        Assert.Equal(0, again.Folded + again.Lowered);
        Assert.Equal(once, model.ToBytes());
    }
}
