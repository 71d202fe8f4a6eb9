using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class ConvForwardRuleTests
{
    // x:[1,2,3,3] → BN (s = [1,2], t = [0.5,-3]) → h → Conv(W:[2, 2/group, kH, kW], b) → y
    private static GraphBuilder BnThenConv(long[] weightDims, float[] weights, bool withBias, params (string, object)[] attributes) => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
        .Output("y", OnnxDataType.Float, 1, 2, "H", "W")
        .Initializer("W", weightDims, weights)
        .Initializer("b", [2], 10f, 20f)
        .Bn("bn", "x", "h")
        .Node("Conv", withBias ? ["h", "W", "b"] : ["h", "W"], ["y"], "conv", attributes);

    [Fact]
    public void Folds_Into_Unpadded_Conv_By_Hand_Worked_Numbers()
    {
        var model = BnThenConv([2, 2, 1, 1], [1f, 2f, 3f, 4f], withBias: true).Build();
        var report = FoldPass.Run(model);

        // W'[o,i] = W[o,i]·s[i] = [[1,4],[3,8]]; b'[o] = b[o] + Σ_i W[o,i]·t[i] = [10 + 0.5 − 6, 20 + 1.5 − 12]
        var conv = Assert.Single(model.Graph.Nodes);
        Assert.Equal("x", conv.Input(0));
        Assert.Equal("y", conv.Output(0));
        Assert.Equal([1.0, 4, 3, 8], model.Values(conv.Input(1)));
        Assert.Equal([4.5, 9.5], model.Values(conv.Input(2)));
        Assert.True(model.IsGone("h"));
        Assert.Equal("folded forward into conv", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Folds_Into_Grouped_Strided_Conv_Adding_A_Bias()
    {
        // group = 2: output channel o reads only input channel o, through a 2×1 kernel
        var model = BnThenConv([2, 1, 2, 1], [1f, 2f, 3f, 4f], withBias: false,
            ("group", 2L), ("strides", new long[] { 2, 2 }), ("dilations", new long[] { 1, 2 })).Build();
        FoldPass.Run(model);

        // W'[0] = [1,2]·1, W'[1] = [3,4]·2; b'[0] = (1+2)·0.5, b'[1] = (3+4)·(−3)
        var conv = Assert.Single(model.Graph.Nodes);
        Assert.Equal([1.0, 2, 6, 8], model.Values(conv.Input(1)));
        Assert.Equal([1.5, -21], model.Values(conv.Input(2)));
    }

    [Fact]
    public void Folds_Into_Conv_With_Zero_Pads_Or_Valid_Auto_Pad()
    {
        var zeroPads = BnThenConv([2, 2, 1, 1], [1f, 2f, 3f, 4f], true, ("pads", new long[] { 0, 0, 0, 0 })).Build();
        var valid = BnThenConv([2, 2, 1, 1], [1f, 2f, 3f, 4f], true, ("auto_pad", "VALID")).Build();

        Assert.Equal(BnOutcome.FoldedForward, FoldPass.Run(zeroPads).Fates[0].Outcome);
        Assert.Equal(BnOutcome.FoldedForward, FoldPass.Run(valid).Fates[0].Outcome);
    }

    [Fact]
    public void Keeps_Bn_Before_A_Padded_Conv_Saying_Why()
    {
        var model = BnThenConv([2, 2, 3, 3], Enumerable.Repeat(1f, 36).ToArray(), true, ("pads", new long[] { 1, 1, 1, 1 })).Build();
        var report = FoldPass.Run(model);

        var fate = Assert.Single(report.Fates);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.Contains("BN→Conv: conv is a padded Conv (pads=[1,1,1,1]): its zero padding would see the shift at the border", fate.Description);
        Assert.Equal(["BatchNormalization", "Conv"], model.OpTypes());
        Assert.Equal("W", model.Single("Conv").Input(1));
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    public void Keeps_Bn_Before_A_Same_Padded_Conv(string autoPad)
    {
        var model = BnThenConv([2, 2, 3, 3], Enumerable.Repeat(1f, 36).ToArray(), true, ("auto_pad", autoPad)).Build();
        var report = FoldPass.Run(model);

        Assert.Contains($"padded Conv (auto_pad={autoPad})", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_When_Conv_Weight_Is_Not_Constant()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
            .Input("W", OnnxDataType.Float, 2, 2, 1, 1)
            .Output("y", OnnxDataType.Float, 1, 2, 3, 3)
            .Bn("bn", "x", "h")
            .Node("Conv", ["h", "W"], ["y"], "conv")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Contains("BN→Conv: Conv weight is not a constant", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_Feeding_A_Foldable_And_A_Padded_Conv_Naming_The_Padded_One()
    {
        var model = BnThenConv([2, 2, 1, 1], [1f, 2f, 3f, 4f], true)
            .Initializer("W3", [2, 2, 3, 3], Enumerable.Repeat(1f, 36).ToArray())
            .Node("Conv", ["h", "W3"], ["z"], "conv_padded", ("pads", new long[] { 1, 1, 1, 1 }))
            .Output("z", OnnxDataType.Float, 1, 2, 3, 3)
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, report.Fates[0].Outcome);
        Assert.Contains("1 of 2 consumers not foldable: conv_padded: conv_padded is a padded Conv", report.Fates[0].Detail);
        Assert.Equal("W", model.Graph.Nodes.Single(n => n.Name == "conv").Input(1));
    }
}
