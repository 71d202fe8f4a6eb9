using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class ConvBackwardRuleTests
{
    // x:[1,2,3,3] → Conv(W:[2,2,1,1], b) → BN(γ, β, mean, var, ε=0) → y
    private static GraphBuilder ConvThenBn(bool withBias) => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
        .Output("y", OnnxDataType.Float, 1, 2, 3, 3)
        .Initializer("W", [2, 2, 1, 1], 1f, 2f, 3f, 4f)
        .Initializer("b", [2], 10f, 20f)
        .Initializer("gamma", [2], 2f, 3f)
        .Initializer("beta", [2], 1f, -1f)
        .Initializer("mean", [2], 5f, 6f)
        .Initializer("var", [2], 4f, 9f)
        .Node("Conv", withBias ? ["x", "W", "b"] : ["x", "W"], ["c"], "conv")
        .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn", ("epsilon", 0f));

    [Fact]
    public void Folds_Conv_With_Bias_By_Hand_Worked_Numbers()
    {
        var model = ConvThenBn(withBias: true).Build();
        var report = FoldPass.Run(model);

        // s = γ/√var = [1, 1]; t = β − mean·s = [-4, -7]; W' = s·W = W; b' = s·b + t = [6, 13]
        var conv = Assert.Single(model.Graph.Nodes);
        Assert.Equal("Conv", conv.OpType);
        Assert.Equal("y", conv.Output(0));
        Assert.Equal([1.0, 2, 3, 4], model.Graph.Initializer(conv.Input(1))!.ToDoubleArray());
        Assert.Equal([6.0, 13], model.Graph.Initializer(conv.Input(2))!.ToDoubleArray());
        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
        Assert.Equal("folded backward into conv", report.Fates[0].Description);
    }

    [Fact]
    public void Folds_Conv_Without_Bias_Adding_One()
    {
        var model = ConvThenBn(withBias: false).Build();
        FoldPass.Run(model);

        var conv = Assert.Single(model.Graph.Nodes);
        Assert.Equal(3, conv.Inputs.Count);
        Assert.Equal([-4.0, -7], model.Graph.Initializer(conv.Input(2))!.ToDoubleArray());
    }

    [Fact]
    public void Removes_Dead_Initializers_And_Keeps_Output_Name()
    {
        var model = ConvThenBn(withBias: true).Build();
        FoldPass.Run(model);

        Assert.Equal(2, model.Graph.InitializerCount);
        Assert.Equal("y", model.Graph.Outputs[0].Name);
    }
}
