using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.BackwardFixtures;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class ConvTransposeBackwardRuleTests
{
    // x:[1,1,2,2] → ConvTranspose(W:[1,2,1,1] = [1, 2], b?) → BN(s = [2, 1.5], t = [-1.5, -4]) → y
    private static GraphBuilder ConvTransposeThenBn(bool withBias) => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 1, 2, 2)
        .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
        .Initializer("W", [1, 2, 1, 1], 1f, 2f)
        .Initializer("b", [2], 10f, 20f)
        .Node("ConvTranspose", withBias ? ["x", "W", "b"] : ["x", "W"], ["d"], "deconv")
        .TwoChannelBn("d", "y");

    [Fact]
    public void Folds_ConvTranspose_Scaling_Weight_Axis_1()
    {
        var model = ConvTransposeThenBn(withBias: true).Build();
        var report = FoldPass.Run(model);

        var deconv = Assert.Single(model.Graph.Nodes);
        Assert.Equal("y", deconv.Output(0));
        Assert.Equal([2.0, 3], InputValues(model, "ConvTranspose", 1));
        Assert.Equal([18.5, 26], InputValues(model, "ConvTranspose", 2));
        Assert.Equal("folded backward into deconv", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Folds_ConvTranspose_Without_Bias_Adding_One()
    {
        var model = ConvTransposeThenBn(withBias: false).Build();
        FoldPass.Run(model);

        Assert.Equal([-1.5, -4], InputValues(model, "ConvTranspose", 2));
    }

    [Fact]
    public void Folds_Grouped_ConvTranspose_Per_Group_Block()
    {
        // group 2, W:[C_in=4, C_out/group=2, 1, 1] = 1..8: rows 0-1 write channels 0-1, rows 2-3 channels 2-3.
        // BN s = γ = [1, 2, 3, 4] (var 1, mean 0, ε 0), t = β = [0.5, 0, 0, -1].
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 4, 1, 1)
            .Output("y", OnnxDataType.Float, 1, 4, 1, 1)
            .Initializer("W", [4, 2, 1, 1], 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f)
            .Initializer("gamma", [4], 1f, 2f, 3f, 4f)
            .Initializer("beta", [4], 0.5f, 0f, 0f, -1f)
            .Initializer("mean", [4], 0f, 0f, 0f, 0f)
            .Initializer("var", [4], 1f, 1f, 1f, 1f)
            .Node("ConvTranspose", ["x", "W"], ["d"], "deconv", ("group", 2L))
            .Node("BatchNormalization", ["d", "gamma", "beta", "mean", "var"], ["y"], "bn", ("epsilon", 0f))
            .Build();
        FoldPass.Run(model);

        // W'[r, j] = s[group(r)·2 + j]·W[r, j]
        Assert.Equal([1.0, 4, 3, 8, 15, 24, 21, 32], InputValues(model, "ConvTranspose", 1));
        Assert.Equal([0.5, 0, 0, -1], InputValues(model, "ConvTranspose", 2));
    }

    [Fact]
    public void Scales_Every_Kernel_Element_Of_An_Output_Channel()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 1, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 3, 3)
            .Initializer("W", [1, 2, 2, 2], 1f, 1f, 1f, 1f, 2f, 2f, 2f, 2f)
            .Node("ConvTranspose", ["x", "W"], ["d"], "deconv")
            .TwoChannelBn("d", "y")
            .Build();
        FoldPass.Run(model);

        Assert.Equal([2.0, 2, 2, 2, 3, 3, 3, 3], InputValues(model, "ConvTranspose", 1));
    }

    [Fact]
    public void Keeps_Bn_When_ConvTranspose_Output_Is_A_Graph_Output()
    {
        var model = ConvTransposeThenBn(withBias: true).Output("d", OnnxDataType.Float, 1, 2, 2, 2).Build();
        AssertKept(FoldPass.Run(model), "ConvTranspose←BN: ConvTranspose output is also a graph output");
    }

    [Fact]
    public void Keeps_Bn_When_Channel_Count_Differs_From_ConvTranspose_Outputs()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 1, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 3, 2, 2)
            .Initializer("W", [1, 3, 1, 1], 1f, 2f, 3f)
            .Node("ConvTranspose", ["x", "W"], ["d"], "deconv")
            .TwoChannelBn("d", "y")
            .Build();
        AssertKept(FoldPass.Run(model), "ConvTranspose←BN: 2 channels, but ConvTranspose has 3 output channels");
    }

    [Fact]
    public void Does_Not_Mutate_A_Weight_Shared_With_Another_ConvTranspose()
    {
        var model = ConvTransposeThenBn(withBias: true)
            .Output("z", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("ConvTranspose", ["x", "W", "b"], ["z"], "other")
            .Build();
        FoldPass.Run(model);

        var other = model.Graph.Nodes.Single(n => n.Name == "other");
        Assert.Equal(["x", "W", "b"], other.Inputs);
        Assert.Equal([1.0, 2], Constant(model, "W").ToDoubleArray());
        Assert.Equal([10.0, 20], Constant(model, "b").ToDoubleArray());
    }

    [Fact]
    public void Folded_Grouped_Strided_ConvTranspose_Computes_What_ConvTranspose_And_Bn_Did()
    {
        // group 2, C_in 2, C_out 2, 2x2 kernel, stride 2: one input channel per group.
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 4, 4)
            .Initializer("W", [2, 1, 2, 2], 1f, -1f, 2f, 0.5f, 3f, 1f, -2f, 4f)
            .Initializer("b", [2], 0.25f, -0.75f)
            .Node("ConvTranspose", ["x", "W", "b"], ["d"], "deconv", ("group", 2L), ("strides", new long[] { 2, 2 }))
            .TwoChannelBn("d", "y");
        AssertFoldKeepsOutputs(builder, 1, 2, 2, 2);
    }
}
