using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>A kept BN's report names what stopped the fold, not every rule whose pattern was simply absent.</summary>
public sealed class KeptReasonTests
{
    private static GraphBuilder Bn(GraphBuilder builder, string input, string output) => builder
        .Initializer("gamma", [2], 2f, 3f)
        .Initializer("beta", [2], 0.5f, -1f)
        .Initializer("mean", [2], 1f, 2f)
        .Initializer("var", [2], 1f, 4f)
        .Node("BatchNormalization", [input, "gamma", "beta", "mean", "var"], [output], "bn");

    [Fact]
    public void Bn_Between_Activations_Says_There_Is_No_Linear_Op_Around_It()
    {
        var model = Bn(new GraphBuilder()
                .Input("x", OnnxDataType.Float, "N", 2)
                .Output("y", OnnxDataType.Float, "N", 2)
                .Node("Relu", ["x"], ["r"], "relu"), "r", "b")
            .Node("Sigmoid", ["b"], ["y"], "sigmoid")
            .Build();

        var fate = Assert.Single(FoldPass.Run(model).Fates);
        Assert.Equal("kept: no linear op to fold into (input comes from Relu; output feeds Sigmoid)", fate.Description);
    }

    [Fact]
    public void Bn_Before_A_Padded_Conv_Reports_Only_The_Padding()
    {
        var model = Bn(new GraphBuilder()
                .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
                .Output("y", OnnxDataType.Float, 1, 1, 3, 3)
                .Initializer("W", [1, 2, 1, 1], 1f, 1f)
                .Node("Relu", ["x"], ["r"], "relu"), "r", "b")
            .Node("Conv", ["b", "W"], ["y"], "conv", ("pads", new long[] { 1, 1, 1, 1 }), ("kernel_shape", new long[] { 1, 1 }))
            .Build();

        var fate = Assert.Single(FoldPass.Run(model).Fates);
        Assert.StartsWith("kept: BN→Conv: conv is a padded Conv (pads=[1,1,1,1])", fate.Description);
        Assert.DoesNotContain("Gemm", fate.Description);
        Assert.DoesNotContain("comes from Relu", fate.Description);
    }
}
