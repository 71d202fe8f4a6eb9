using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>BN-15 may read float16 data with float32 statistics: the fold computes in float64 and writes each tensor in its own type.</summary>
public sealed class MixedPrecisionTests
{
    private static TensorData Half16(string name, long[] dims, params double[] values) =>
        TensorData.FromDoubles(name, OnnxDataType.Float16, dims, values);

    /// <summary>x:[1,2,2,2] fp16 → Conv(W fp16 [2,2,1,1], b fp16?) → BN-15(γ, β, mean, var all fp32) → y fp16.</summary>
    private static GraphBuilder Fp16ConvBn(bool withBias)
    {
        var builder = new GraphBuilder(opset: 15)
            .Input("x", OnnxDataType.Float16, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float16, 1, 2, 2, 2)
            .Initializer(Half16("W", [2, 2, 1, 1], 1, 0.5, -0.25, 1))
            .BnParameters("bn");
        if (withBias) builder.Initializer(Half16("b", [2], 1, -1));
        return builder
            .Node("Conv", withBias ? ["x", "W", "b"] : ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["y"], "bn", ("epsilon", 0f));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Float16_Conv_With_Float32_Statistics_Folds_Writing_Float16_Weights(bool withBias)
    {
        var model = Fp16ConvBn(withBias).Build();
        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv", Fate(report, "bn").Description);
        var conv = Assert.Single(model.Graph.Nodes);
        var weight = Constant(model, conv.Input(1));
        var bias = Constant(model, conv.Input(2));
        Assert.Equal(OnnxDataType.Float16, weight.ElementType);
        Assert.Equal(OnnxDataType.Float16, bias.ElementType);
        // s = γ/√var = [2, 1.5], t = β − mean·s = [-1.5, -4]; W'[o] = s[o]·W[o], b' = s·b + t (all exact in fp16).
        Assert.Equal([2.0, 1, -0.375, 1.5], weight.ToDoubleArray());
        Assert.Equal(withBias ? [0.5, -5.5] : [-1.5, -4.0], bias.ToDoubleArray());
    }

    [Fact]
    public void Float32_Statistics_Do_Not_Survive_In_The_Folded_Graph()
    {
        var model = Fp16ConvBn(withBias: true).Build();
        FoldPass.Run(model);

        Assert.All(model.Graph.Initializers, t => Assert.Equal(OnnxDataType.Float16, t.ElementType));
        Assert.Equal(2, model.Graph.InitializerCount);
    }

    [Fact]
    public void Float16_Fold_Matches_The_Original_Within_Float16_Rounding()
    {
        var builder = Fp16ConvBn(withBias: true);
        var original = builder.Build();
        var folded = builder.Build();
        FoldPass.Run(folded);

        var input = Input(1, 2, 2, 2).ToTensorData("x", OnnxDataType.Float16);
        AssertSameOutputs(original, folded, Feed("x", RefTensor.FromTensorData(input)), tolerance: 1e-2);
    }
}
