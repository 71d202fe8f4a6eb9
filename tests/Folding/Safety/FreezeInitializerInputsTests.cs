using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// Initializers listed as graph inputs (every IR 3 model; PyTorch with keep_initializers_as_inputs=True) are
/// defaults a caller may override: kept by default, with the way out in the reason; folded once frozen.
/// </summary>
public sealed class FreezeInitializerInputsTests
{
    private static readonly string[] Weights = ["W", "b", "bn_gamma", "bn_beta", "bn_mean", "bn_var"];

    /// <summary>ConvBn's graph with every initializer also a graph input, as IR 3 required.</summary>
    private static OnnxModel InitializersAsInputs(long irVersion)
    {
        var builder = new GraphBuilder(9, irVersion)
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0.5f, -0.25f, 1f)
            .Initializer("b", [2], 1f, -1f)
            .BnParameters("bn")
            .Node("Conv", ["x", "W", "b"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["y"], "bn");
        builder.Input("W", OnnxDataType.Float, 2, 2, 1, 1).Input("b", OnnxDataType.Float, 2);
        foreach (var parameter in Weights.Skip(2))
            builder.Input(parameter, OnnxDataType.Float, 2);
        return builder.Build();
    }

    [Fact]
    public void By_Default_A_Bn_With_Overridable_Parameters_Is_Kept_From_Ir_4_And_The_Reason_Says_How_To_Fold_It()
    {
        // PyTorch's keep_initializers_as_inputs=True writes IR 7 models whose weights are inputs: overridable.
        var model = InitializersAsInputs(7);

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "scale 'bn_gamma' is not a constant", "freeze initializer inputs to fold it");
        Assert.Empty(report.FrozenInputs);
        Assert.Null(report.FreezeReason);
        Assert.Equal(7, model.Graph.Inputs.Count);
        // The weights are still parameters (defaults a caller may override): 4 + 2 + 4·2.
        Assert.Equal(14, report.Before.Total);
        Assert.Equal(4, report.Before.NonTrainable);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Below_Ir_4_Initializer_Inputs_Are_Frozen_By_Default_And_The_Report_Says_Why(long irVersion)
    {
        var model = InitializersAsInputs(irVersion);
        var before = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(Weights, report.FrozenInputs);
        Assert.Contains($"IR version {irVersion}", report.FreezeReason);
        Assert.Contains("ONNX Runtime treats them as constants", report.FreezeReason);
        Assert.Equal(14, report.Before.Total);
        Assert.Equal(["x"], model.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(4, model.IrVersion);
        AssertSameOutputs(before, model, Feed("x", Input(1, 2, 2, 2)));
        Assert.Contains("\"freezeReason\"", report.ToJson());
    }

    [Fact]
    public void Frozen_Initializer_Inputs_Fold_Leave_Only_The_Real_Input_And_Raise_Ir_3_To_4()
    {
        var model = InitializersAsInputs(3);
        var before = model.Clone();

        var report = FoldPass.Run(model, new FoldOptions { FreezeInitializerInputs = true });

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(Weights, report.FrozenInputs);
        Assert.Equal("asked for (freeze initializer inputs)", report.FreezeReason);
        Assert.Equal(["x"], model.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(4, model.IrVersion);
        Assert.Equal(["Conv"], OpTypes(model));
        AssertSameOutputs(before, model, Feed("x", Input(1, 2, 2, 2)));
        Assert.Contains("\"frozenInputs\"", report.ToJson());
    }

    [Fact]
    public void A_Layer_Weight_That_Is_A_Graph_Input_Names_The_Way_Out_Too()
    {
        // BN parameters constant, the Conv weight overridable: the Conv rule's reason carries the hint.
        var model = ConvBn().Input("W", OnnxDataType.Float, 2, 2, 1, 1).Build();

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "Conv weight is not a constant: 'W' is a graph input", "freeze initializer inputs to fold it");
    }

    [Fact]
    public void Freezing_Never_Lowers_A_Newer_Ir_Version()
    {
        var model = InitializersAsInputs(8);

        FoldPass.Run(model, new FoldOptions { FreezeInitializerInputs = true });

        Assert.Equal(8, model.IrVersion);
    }

    [Fact]
    public void A_Frozen_Model_Saves_And_Loads_With_Its_Weights_As_Constants()
    {
        var model = InitializersAsInputs(3);
        FoldPass.Run(model, new FoldOptions { FreezeInitializerInputs = true });

        var reloaded = OnnxModel.FromBytes(model.ToBytes());

        Assert.Equal(4, reloaded.IrVersion);
        Assert.True(reloaded.Graph.TryGetConstant(reloaded.Graph.Nodes.Single().Input(1), out _));
    }
}
