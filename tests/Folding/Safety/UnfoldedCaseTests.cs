using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// BNs that must stay, each with the reason in the report. Covered elsewhere and not repeated here: Gemm output with
/// two consumers or a graph output (GemmBackwardRuleTests), forward into a padded Conv or next to a non-linear
/// consumer (ConvForwardRuleTests, GemmForwardRuleTests), training mode (InferenceModeTests).
/// </summary>
public sealed class UnfoldedCaseTests
{
    [Fact]
    public void Bn_After_A_Conv_Whose_Output_Has_Another_Consumer_Is_Kept()
    {
        var model = ConvBn()
            .Output("r", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Relu", ["c"], ["r"], "relu")
            .Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "Conv←BN: Conv output has 2 consumers");
        Assert.Equal([1.0, 0, 0, 1], Constant(model, "W").ToDoubleArray());
    }

    [Fact]
    public void Bn_After_A_Conv_Whose_Output_Is_A_Graph_Output_Is_Kept()
    {
        var model = ConvBn().Output("c", OnnxDataType.Float, 1, 2, 2, 2).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "Conv←BN: Conv output is also a graph output");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Bn_Whose_Output_Is_A_Graph_Output_Is_Not_Folded_Forward()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 4, 2)
            .Output("h", OnnxDataType.Float, 4, 2)
            .Output("z", OnnxDataType.Float, 4, 2)
            .Bn("bn", "x", "h")
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("Gemm", ["h", "B"], ["z"], "gemm")
            .Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "BN→Gemm: output is a graph output");
        Assert.Equal("h", model.Graph.Nodes.Single(n => n.Name == "gemm").Input(0));
    }

    [Fact]
    public void Bn_Feeding_Two_Gemms_And_A_Relu_Is_Kept_Naming_The_Relu()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 4, 2)
            .Output("z1", OnnxDataType.Float, 4, 2)
            .Output("z2", OnnxDataType.Float, 4, 2)
            .Output("r", OnnxDataType.Float, 4, 2)
            .Bn("bn", "x", "h")
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("Gemm", ["h", "B"], ["z1"], "gemm1")
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("Gemm", ["h", "B"], ["z2"], "gemm2")
            .Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "1 of 3 consumers not foldable", "relu");
        Assert.Equal([1.0, 2, 3, 4], Constant(model, "B").ToDoubleArray());
        Assert.All(model.Graph.Nodes.Where(n => n.OpType == "Gemm"), g => Assert.Equal("B", g.Input(1)));
    }

    [Fact]
    public void Every_Rule_Reason_Is_In_The_Report_Of_A_Kept_Bn()
    {
        var model = ConvBn().Output("c", OnnxDataType.Float, 1, 2, 2, 2).Build();
        var detail = Fate(FoldPass.Run(model), "bn").Detail;

        // The driver lists each rule's own decline, so the report says why backward and forward both failed.
        Assert.Contains("Conv←BN:", detail);
        Assert.Contains("BN→Gemm: output is a graph output", detail);
    }
}
