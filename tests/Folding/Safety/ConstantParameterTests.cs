using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>Only constants fold: initializers that are not graph inputs, or Constant nodes.</summary>
public sealed class ConstantParameterTests
{
    [Fact]
    public void Bn_Whose_Scale_Initializer_Is_Also_A_Graph_Input_Is_Kept()
    {
        // A graph input with an initializer is only a default: the caller may feed another scale at run time.
        var model = ConvBn().Input("bn_gamma", OnnxDataType.Float, 2).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "scale 'bn_gamma' is not a constant");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
        Assert.NotNull(model.Graph.Initializer("bn_gamma"));
    }

    [Theory]
    [InlineData("bn_beta", "B")]
    [InlineData("bn_mean", "mean")]
    [InlineData("bn_var", "var")]
    public void Bn_With_Any_Parameter_Overridable_At_Run_Time_Is_Kept(string parameter, string role)
    {
        var model = ConvBn().Input(parameter, OnnxDataType.Float, 2).Build();
        AssertKept(FoldPass.Run(model), "bn", $"{role} '{parameter}' is not a constant");
    }

    [Fact]
    public void Parameters_From_Constant_Nodes_Fold()
    {
        // PyTorch exports BatchNorm2d(affine=False) with γ = 1 and β = 0 as Constant nodes.
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Constant("ones", TensorData.Create("ones", [2], new[] { 1f, 1f }.AsSpan()))
            .Constant("zeros", TensorData.Create("zeros", [2], new[] { 0f, 0f }.AsSpan()))
            .Constant("mean", TensorData.Create("mean", [2], new[] { 1f, 2f }.AsSpan()))
            .Constant("var", TensorData.Create("var", [2], new[] { 4f, 16f }.AsSpan()))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "ones", "zeros", "mean", "var"], ["y"], "bn", ("epsilon", 0f));
        var original = builder.Build();
        var model = builder.Build();
        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv", Fate(report, "bn").Description);
        // s = 1/√var = [0.5, 0.25], t = −mean·s = [-0.5, -0.5]; the Constant nodes are gone with the BN.
        Assert.Equal(["Conv"], OpTypes(model));
        var conv = model.Graph.Nodes[0];
        Assert.Equal([0.5, 0, 0, 0.25], Constant(model, conv.Input(1)).ToDoubleArray());
        Assert.Equal([-0.5, -0.5], Constant(model, conv.Input(2)).ToDoubleArray());
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 2, 2)));
    }

    [Fact]
    public void Bn_After_Conv_Whose_Weight_Is_A_Graph_Input_Is_Kept()
    {
        var model = ConvBn().Input("W", OnnxDataType.Float, 2, 2, 1, 1).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "Conv←BN: Conv weight is not a constant");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Bn_After_Conv_Whose_Bias_Is_A_Graph_Input_Is_Kept()
    {
        var model = ConvBn().Input("b", OnnxDataType.Float, 2).Build();
        AssertKept(FoldPass.Run(model), "bn", "Conv←BN: Conv bias is not a constant");
    }
}
