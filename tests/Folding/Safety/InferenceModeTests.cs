using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>A BN is folded only in inference mode, read the way its opset defines it.</summary>
public sealed class InferenceModeTests
{
    [Theory]
    [InlineData(false, 0L)]
    [InlineData(true, 0L)]
    public void Opset6_Bn_Without_Is_Test_1_Is_Kept(bool hasAttribute, long isTest)
    {
        var model = (hasAttribute ? ConvBn(6, null, ("is_test", isTest)) : ConvBn(6)).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "training mode", "is_test is not 1 in opset 6");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Opset6_Bn_With_Is_Test_1_Is_Folded()
    {
        var model = ConvBn(6, null, ("is_test", 1L)).Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(["Conv"], OpTypes(model));
    }

    [Fact]
    public void Opset6_Bn_With_Is_Test_1_But_Statistics_Outputs_Is_Kept_Not_Broken()
    {
        // Removing the node would leave its running-statistics outputs without a producer.
        var model = ConvBn(6, ["y", "running_mean", "running_var"], ("is_test", 1L))
            .Output("running_mean", OnnxDataType.Float, 2)
            .Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "3 outputs");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Theory]
    [InlineData(9L)]
    [InlineData(13L)]
    public void Bn_With_Running_Statistics_Outputs_Is_Kept(long opset)
    {
        var model = ConvBn(opset, ["y", "mean_out", "var_out", "saved_mean", "saved_var"]).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "training mode", "5 outputs");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Theory]
    [InlineData(9L)]
    [InlineData(13L)]
    public void Bn_With_One_Output_Is_Folded_From_Opset_7_To_13(long opset)
    {
        var model = ConvBn(opset).Build();
        Assert.Equal(BnOutcome.FoldedBackward, Fate(FoldPass.Run(model), "bn").Outcome);
    }

    [Theory]
    [InlineData(14L)]
    [InlineData(15L)]
    public void Training_Mode_1_Is_Kept(long opset)
    {
        var model = ConvBn(opset, null, ("training_mode", 1L)).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "training mode (training_mode=1)");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Theory]
    [InlineData(14L)]
    [InlineData(15L)]
    public void Training_Mode_0_Is_Folded(long opset)
    {
        var model = ConvBn(opset, null, ("training_mode", 0L)).Build();
        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv", Fate(report, "bn").Description);
        Assert.Equal(["Conv"], OpTypes(model));
    }

    [Fact]
    public void Opset7_Spatial_0_On_A_Rank_4_Input_Is_Kept_With_The_Reason()
    {
        var model = ConvBn(7, null, ("spatial", 0L)).Build();
        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "spatial=0 (per-element statistics) on a rank-4 input");
        Assert.Equal(["Conv", "BatchNormalization"], OpTypes(model));
    }

    [Theory]
    [InlineData(7L)]
    [InlineData(8L)]
    public void Spatial_0_On_An_N_By_C_Input_Is_Per_Channel_And_Folds(long opset)
    {
        // Old Keras converters wrote spatial=0 for BN after Dense: with no D dims, per element is per channel.
        var model = new GraphBuilder(opset)
            .Input("x", OnnxDataType.Float, 3, 2)
            .Output("y", OnnxDataType.Float, 3, 2)
            .Initializer("W", [2, 2], 1f, -0.5f, 0.25f, 2f)
            .Initializer("b", [2], 1f, -1f)
            .BnParameters("bn")
            .Node("Gemm", ["x", "W", "b"], ["h"], "fc")
            .Node("BatchNormalization", ["h", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["y"], "bn", ("spatial", 0L))
            .Build();
        var before = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(["Gemm"], OpTypes(model));
        AssertSameOutputs(before, model, Feed("x", Input(3, 2)));
    }

    [Fact]
    public void Opset7_Spatial_1_Is_Folded()
    {
        var model = ConvBn(7, null, ("spatial", 1L)).Build();
        Assert.Equal(BnOutcome.FoldedBackward, Fate(FoldPass.Run(model), "bn").Outcome);
    }

    [Fact]
    public void Missing_Epsilon_Means_1e_5()
    {
        // var = 0 on channel 0: with ε = 1e-5, s₀ = 2/√1e-5 ≈ 632.456; with ε = 0 it would be infinite.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Initializer("gamma", [2], 2f, 3f)
            .Initializer("beta", [2], 0.5f, -1f)
            .Initializer("mean", [2], 1f, 2f)
            .Initializer("var", [2], 0f, 4f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        double s0 = 2 / Math.Sqrt(0 + 1e-5), s1 = 3 / Math.Sqrt(4 + 1e-5);
        double t0 = 0.5 - 1 * s0, t1 = -1 - 2 * s1;
        var conv = Assert.Single(model.Graph.Nodes);
        AssertRelativelyClose([s0, 0, 0, s1], Constant(model, conv.Input(1)).ToDoubleArray());
        AssertRelativelyClose([t0, t1], Constant(model, conv.Input(2)).ToDoubleArray());
    }

    [Fact]
    public void Explicit_Epsilon_Is_Used()
    {
        var model = ConvBn(13, null, ("epsilon", 0.25f)).Build();
        FoldPass.Run(model);

        // s = γ/√(var+0.25) = [2/√1.25, 3/√4.25]
        var conv = Assert.Single(model.Graph.Nodes);
        double[] w = Constant(model, conv.Input(1)).ToDoubleArray();
        AssertRelativelyClose([2 / Math.Sqrt(1.25), 0, 0, 3 / Math.Sqrt(4.25)], w);
    }

    private static void AssertRelativelyClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}
