using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>A weight shared by several nodes is never edited in place: each fold writes its own copy.</summary>
public sealed class SharedWeightTests
{
    /// <summary>
    /// W feeds three Convs on x: conv1 → bn1 → y1, conv2 → bn2 → y2 (different statistics), conv3 → y3 (no BN).
    /// </summary>
    private static GraphBuilder ThreeConvsSharingW()
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 2f, 3f, 4f)
            .Initializer("b", [2], 1f, -1f)
            .Bn("bn1", "c1", "y1")
            .Initializer("bn2_gamma", [2], -1f, 0.5f)
            .Initializer("bn2_beta", [2], 3f, 0f)
            .Initializer("bn2_mean", [2], 0f, 1f)
            .Initializer("bn2_var", [2], 4f, 1f)
            .Node("BatchNormalization", ["c2", "bn2_gamma", "bn2_beta", "bn2_mean", "bn2_var"], ["y2"], "bn2", ("epsilon", 0f));
        foreach (int i in new[] { 1, 2, 3 })
            builder.Output($"y{i}", OnnxDataType.Float, 1, 2, 2, 2)
                .Node("Conv", ["x", "W", "b"], [i == 3 ? "y3" : $"c{i}"], $"conv{i}");
        return builder;
    }

    [Fact]
    public void Both_Bns_Fold_Each_Into_Its_Own_New_Weight()
    {
        var model = ThreeConvsSharingW().Build();
        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv1", Fate(report, "bn1").Description);
        Assert.Equal("folded backward into conv2", Fate(report, "bn2").Description);
        var conv1 = model.Graph.Nodes.Single(n => n.Name == "conv1");
        var conv2 = model.Graph.Nodes.Single(n => n.Name == "conv2");
        Assert.NotEqual(conv1.Input(1), conv2.Input(1));
        Assert.NotEqual("W", conv1.Input(1));
        Assert.NotEqual("W", conv2.Input(1));
        // s1 = [2, 1.5]; s2 = γ/√var = [-0.5, 0.5]
        Assert.Equal([2.0, 4, 4.5, 6], Constant(model, conv1.Input(1)).ToDoubleArray());
        Assert.Equal([-0.5, -1, 1.5, 2], Constant(model, conv2.Input(1)).ToDoubleArray());
    }

    [Fact]
    public void The_Third_Consumer_Still_Sees_The_Original_Weight_And_Bias()
    {
        var model = ThreeConvsSharingW().Build();
        FoldPass.Run(model);

        var conv3 = model.Graph.Nodes.Single(n => n.Name == "conv3");
        Assert.Equal(["x", "W", "b"], conv3.Inputs);
        Assert.Equal([1.0, 2, 3, 4], Constant(model, "W").ToDoubleArray());
        Assert.Equal([1.0, -1], Constant(model, "b").ToDoubleArray());
    }

    [Fact]
    public void Folding_Shared_Weights_Keeps_Every_Output()
    {
        var builder = ThreeConvsSharingW();
        var original = builder.Build();
        var folded = builder.Build();
        FoldPass.Run(folded);

        Assert.Equal(["Conv", "Conv", "Conv"], OpTypes(folded));
        AssertSameOutputs(original, folded, Feed("x", Input(1, 2, 2, 2)));
    }

    [Fact]
    public void Forward_Fold_Into_Two_Gemms_Sharing_B_Leaves_A_Third_Reader_Of_B_Untouched()
    {
        // x → BN → h → gemm1, gemm2 (both read B); x2 → gemm3 reads B too.
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 4, 2)
            .Input("x2", OnnxDataType.Float, 4, 2)
            .Output("z1", OnnxDataType.Float, 4, 2)
            .Output("z2", OnnxDataType.Float, 4, 2)
            .Output("z3", OnnxDataType.Float, 4, 2)
            .Bn("bn", "x", "h")
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("Gemm", ["h", "B"], ["z1"], "gemm1")
            .Node("Gemm", ["h", "B"], ["z2"], "gemm2", ("alpha", 0.5f))
            .Node("Gemm", ["x2", "B"], ["z3"], "gemm3");
        var original = builder.Build();
        var model = builder.Build();
        var report = FoldPass.Run(model);

        Assert.Equal("folded forward into gemm1, gemm2", Fate(report, "bn").Description);
        var gemms = model.Graph.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(3, new[] { "gemm1", "gemm2", "gemm3" }.Select(g => gemms[g].Input(1)).Distinct().Count());
        Assert.Equal("B", gemms["gemm3"].Input(1));
        Assert.Equal([1.0, 2, 3, 4], Constant(model, "B").ToDoubleArray());
        var inputs = new Dictionary<string, RefTensor> { ["x"] = Input(4, 2), ["x2"] = Input(4, 2) };
        AssertSameOutputs(original, model, inputs);
    }
}
