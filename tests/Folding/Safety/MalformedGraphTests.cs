using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>Odd but well-formed graphs: the pass returns a report and leaves what it cannot read alone, never throws.</summary>
public sealed class MalformedGraphTests
{
    [Fact]
    public void Bn_With_Four_Inputs_Is_Kept()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .BnParameters("bn")
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "bn_gamma", "bn_beta", "bn_mean"], ["y"], "bn")
            .Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "has 4 inputs, expected 5");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Bn_With_An_Omitted_Parameter_Is_Kept()
    {
        var model = ConvBn().Build();
        model.Graph.SetNodeInput(model.Graph.Nodes[1], 2, "");

        AssertKept(FoldPass.Run(model), "bn", "B '' is not a constant");
    }

    [Fact]
    public void Bn_With_Parameters_Of_Mismatched_Lengths_Is_Kept()
    {
        var model = ConvBn().Build();
        model.Graph.SetInitializer(TensorData.Create("bn_var", [3], new[] { 1f, 1f, 1f }.AsSpan()));
        var report = FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });

        AssertKept(report, "bn", "var has 3 values but scale has 2");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Bn_With_Two_Dimensional_Parameters_Is_Kept()
    {
        var model = ConvBn().Build();
        foreach (string p in new[] { "bn_gamma", "bn_beta", "bn_mean", "bn_var" })
            model.Graph.SetInitializer(model.Graph.Initializer(p)!.WithDims([1, 2]));

        AssertKept(FoldPass.Run(model), "bn", "parameters are not 1-D");
    }

    [Fact]
    public void Bn_With_Integer_Parameters_Is_Kept()
    {
        var model = ConvBn().Build();
        model.Graph.SetInitializer(TensorData.Create("bn_mean", [2], new long[] { 1, 2 }.AsSpan()));

        AssertKept(FoldPass.Run(model), "bn", "parameters are not of a float type");
    }

    [Fact]
    public void Bn_Reading_A_Graph_Input_Whose_Output_Feeds_Nothing_Is_Kept()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("r", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Relu", ["x"], ["r"], "relu")
            .Bn("bn", "x", "unused")
            .Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "output has no consumers");
        Assert.Equal(["Relu", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Empty_Graph_Gives_An_Empty_Report()
    {
        var model = new GraphBuilder().Build();
        var report = FoldPass.Run(model);

        Assert.Empty(report.Fates);
        Assert.Equal(new ParameterCounts(0, 0, 0), report.Before);
        Assert.Equal(new ParameterCounts(0, 0, 0), report.After);
        Assert.Equal((0, 0), (report.NodesBefore, report.NodesAfter));
        Assert.Contains("\"batchNorms\": []", report.ToJson());
    }

    [Fact]
    public void Graph_Without_Any_Bn_Is_Left_Byte_For_Byte()
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Node("Conv", ["x", "W"], ["y"], "conv");
        var model = builder.Build();

        Assert.Empty(FoldPass.Run(model).Fates);
        Assert.Equal(builder.ToBytes(), model.ToBytes());
    }
}
