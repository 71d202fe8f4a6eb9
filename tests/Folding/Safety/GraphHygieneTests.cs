using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>After folding: output names, value_info, initializers and node order are as a valid model needs them.</summary>
public sealed class GraphHygieneTests
{
    /// <summary>
    /// x → Conv → c → BN → y (folds backward) and x2 → Relu → r → BN2 → h → Gemm → z (folds forward); outputs y
    /// and z; value_info declares c, r and h.
    /// </summary>
    private static GraphBuilder TwoFolds() => ConvBn()
        .Input("x2", OnnxDataType.Float, 4, 2)
        .Output("z", OnnxDataType.Float, 4, 2)
        .ValueInfo("c", OnnxDataType.Float, 1, 2, 2, 2)
        .ValueInfo("r", OnnxDataType.Float, 4, 2)
        .ValueInfo("h", OnnxDataType.Float, 4, 2)
        .Node("Relu", ["x2"], ["r"], "relu")
        .Bn("bn2", "r", "h")
        .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
        .Node("Gemm", ["h", "B"], ["z"], "gemm");

    [Fact]
    public void Graph_Outputs_Keep_Their_Names_And_Order()
    {
        var model = TwoFolds().Build();
        var report = FoldPass.Run(model);

        Assert.Equal(2, report.Folded);
        Assert.Equal(["y", "z"], model.Graph.Outputs.Select(o => o.Name));
        Assert.Equal("y", model.Graph.Nodes.Single(n => n.Name == "conv").Output(0));
        Assert.Equal("z", model.Graph.Nodes.Single(n => n.Name == "gemm").Output(0));
    }

    [Fact]
    public void Value_Info_Of_Removed_Tensors_Is_Dropped_And_The_Rest_Kept()
    {
        var model = TwoFolds().Build();
        FoldPass.Run(model);

        // c vanished into the Conv writing y, h into the Gemm reading g; r still exists.
        Assert.Equal(["r"], model.Graph.ValueInfos.Select(v => v.Name));
    }

    [Fact]
    public void Dead_Initializers_Are_Removed()
    {
        var model = TwoFolds().Build();
        FoldPass.Run(model);

        var read = model.Graph.Nodes.SelectMany(n => n.Inputs).ToHashSet();
        Assert.All(model.Graph.Initializers, t => Assert.Contains(t.Name, read));
        Assert.DoesNotContain(model.Graph.Initializers, t => t.Name.StartsWith("bn", StringComparison.Ordinal));
        Assert.Null(model.Graph.Initializer("W"));
        Assert.Null(model.Graph.Initializer("B"));
    }

    [Fact]
    public void An_Initializer_Another_Node_Still_Reads_Stays()
    {
        // γ of the BN is also added to the Conv output elsewhere: folding the BN must not drop it.
        var model = ConvBn()
            .Output("e", OnnxDataType.Float, 2)
            .Input("v", OnnxDataType.Float, 2)
            .Node("Add", ["v", "bn_gamma"], ["e"], "extra")
            .Build();
        FoldPass.Run(model);

        Assert.Equal(["Conv", "Add"], OpTypes(model));
        Assert.Equal([2.0, 3], Constant(model, "bn_gamma").ToDoubleArray());
        Assert.Null(model.Graph.Initializer("bn_beta"));
    }

    [Fact]
    public void Nodes_End_Topologically_Sorted_Even_When_The_File_Was_Not()
    {
        // The BN comes first in the file; the Relu reading y comes before the Conv.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("r", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Bn("bn", "c", "y")
            .Node("Relu", ["y"], ["r"], "relu")
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(["conv", "relu"], model.Graph.Nodes.Select(n => n.Name));
        AssertTopologicallySorted(model.Graph);
    }

    [Fact]
    public void Two_Folds_Leave_Nodes_Topologically_Sorted()
    {
        var model = TwoFolds().Build();
        FoldPass.Run(model);
        AssertTopologicallySorted(model.Graph);
    }

    internal static void AssertTopologicallySorted(Graph graph)
    {
        var defined = graph.Inputs.Select(v => v.Name).Concat(graph.Initializers.Select(t => t.Name)).ToHashSet();
        foreach (var node in graph.Nodes)
        {
            foreach (string input in node.Inputs.Where(i => i.Length > 0))
                Assert.True(defined.Contains(input), $"{node.DisplayName} reads '{input}' before it is defined");
            defined.UnionWith(node.Outputs);
        }
    }
}
