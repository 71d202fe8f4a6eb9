using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// Every rule that writes a weight runs the one float16/bfloat16 check (NarrowFloat) before it edits: for each rule,
/// in float16 and bfloat16, a fold that would overflow to inf, flush a non-zero weight to zero, or round a weight into
/// the subnormal range (fewer bits than the original had) keeps the BN with that reason and leaves the graph as it was.
/// Each model puts w0 in the weight element channel 0 touches and a BN with s = [g, 1], t = 0, so the written value
/// is w0·g.
/// </summary>
public sealed class NarrowFloatRuleCoverageTests
{
    public enum Damage
    {
        Overflow,
        FlushToZero,
        SubnormalRounding,
    }

    /// <summary>(w0, g) per type and damage: w0 is a normal number of the type, w0·g is not.</summary>
    private static (double W0, float G) Case(OnnxDataType type, Damage damage) => (type, damage) switch
    {
        (OnnxDataType.Float16, Damage.Overflow) => (60000, 2f),
        (OnnxDataType.Float16, Damage.FlushToZero) => (0.001, 1e-5f),
        (OnnxDataType.Float16, Damage.SubnormalRounding) => (0.1, 2.5e-4f),
        (_, Damage.Overflow) => (3e38, 4f),
        (_, Damage.FlushToZero) => (1e-30, 1e-15f),
        _ => (1e-30, 1e-9f),
    };

    private static string Fragment(OnnxDataType type, Damage damage) => damage switch
    {
        Damage.Overflow => $"would overflow {type.DisplayName()}",
        Damage.FlushToZero => $"would flush a non-zero weight to zero in {type.DisplayName()}",
        _ => $"would lose precision in {type.DisplayName()}'s subnormal range",
    };

    /// <summary>BN(<paramref name="input"/>) → <paramref name="output"/> with γ = [g, 1], β = mean = 0, var = 1, ε = 0 (float32 parameters, opset 15).</summary>
    private static GraphBuilder Bn(GraphBuilder builder, string input, string output, float g) => builder
        .Initializer("g", [2], g, 1f).Initializer("be", [2], 0f, 0f).Initializer("mu", [2], 0f, 0f).Initializer("va", [2], 1f, 1f)
        .Node("BatchNormalization", [input, "g", "be", "mu", "va"], [output], "bn", ("epsilon", 0f));

    private static TensorData Weight(string name, OnnxDataType type, long[] dims, double w0) =>
        TensorData.FromDoubles(name, type, dims, [w0, .. Enumerable.Repeat(1.0, (int)dims.Aggregate(1L, (a, b) => a * b) - 1)]);

    private static OnnxModel Build(string rule, OnnxDataType type, double w0, float g)
    {
        var b = new GraphBuilder(opset: 15);
        return rule switch
        {
            "MatMul←BN" => Bn(b.Input("x", type, 1, 2).Output("y", type, 1, 2)
                .Initializer(Weight("B", type, [2, 2], w0))
                .Node("MatMul", ["x", "B"], ["m"], "fc"), "m", "y", g).Build(),
            "ConvTranspose←BN" => Bn(b.Input("x", type, 1, 2, 1, 1).Output("y", type, 1, 2, 1, 1)
                .Initializer(Weight("W", type, [2, 2, 1, 1], w0))
                .Node("ConvTranspose", ["x", "W"], ["c"], "deconv"), "c", "y", g).Build(),
            "BN→Gemm" => Bn(b.Input("x", type, 1, 2).Output("y", type, 1, 2), "x", "h", g)
                .Initializer(Weight("B", type, [2, 2], w0))
                .Node("Gemm", ["h", "B"], ["y"], "fc").Build(),
            "BN→MatMul" => Bn(b.Input("x", type, 1, 2).Output("y", type, 1, 2), "x", "h", g)
                .Initializer(Weight("B", type, [2, 2], w0))
                .Node("MatMul", ["h", "B"], ["y"], "fc").Build(),
            "BN→Conv" => Bn(b.Input("x", type, 1, 2, 1, 1).Output("y", type, 1, 2, 1, 1), "x", "h", g)
                .Initializer(Weight("W", type, [2, 2, 1, 1], w0))
                .Node("Conv", ["h", "W"], ["y"], "conv").Build(),
            "BN→Relu→Linear" => Bn(b.Input("x", type, 1, 2, 1, 1).Output("y", type, 1, 2, 1, 1), "x", "h", g)
                .Initializer(Weight("W", type, [2, 2, 1, 1], w0))
                .Node("Relu", ["h"], ["r"], "relu")
                .Node("Conv", ["r", "W"], ["y"], "conv", ("pads", new long[] { 1, 1, 1, 1 })).Build(),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };
    }

    private static readonly string[] Rules = ["MatMul←BN", "ConvTranspose←BN", "BN→Gemm", "BN→MatMul", "BN→Conv", "BN→Relu→Linear"];

    public static TheoryData<string, OnnxDataType, Damage> Cases()
    {
        var data = new TheoryData<string, OnnxDataType, Damage>();
        foreach (string rule in Rules)
            foreach (var type in new[] { OnnxDataType.Float16, OnnxDataType.BFloat16 })
                foreach (var damage in Enum.GetValues<Damage>())
                    data.Add(rule, type, damage);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_Keeps_The_Bn_Rather_Than_Write_A_Damaged_Weight(string rule, OnnxDataType type, Damage damage)
    {
        var (w0, g) = Case(type, damage);
        var model = Build(rule, type, w0, g);
        var opsBefore = OpTypes(model);

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", $"{rule}: ", Fragment(type, damage));
        Assert.Equal(opsBefore, OpTypes(model));
    }

    [Theory]
    [InlineData("MatMul←BN")]
    [InlineData("ConvTranspose←BN")]
    [InlineData("BN→Gemm")]
    [InlineData("BN→MatMul")]
    [InlineData("BN→Conv")]
    [InlineData("BN→Relu→Linear")]
    public void Rule_Still_Folds_A_Float16_Weight_That_Fits(string rule)
    {
        var report = FoldPass.Run(Build(rule, OnnxDataType.Float16, 0.75, 1.5f));

        Assert.NotEqual(BnOutcome.Kept, Fate(report, "bn").Outcome);
    }

    [Theory]
    [InlineData(OnnxDataType.Float16, 300f, 300f, "would overflow float16")]
    [InlineData(OnnxDataType.Float16, 1e-4f, 1e-4f, "would flush a non-zero weight to zero in float16")]
    [InlineData(OnnxDataType.Float16, 1e-3f, 2.5e-2f, "would lose precision in float16's subnormal range")]
    [InlineData(OnnxDataType.BFloat16, 1e20f, 1e20f, "would overflow bfloat16")]
    [InlineData(OnnxDataType.BFloat16, 1e-25f, 1e-25f, "would flush a non-zero weight to zero in bfloat16")]
    [InlineData(OnnxDataType.BFloat16, 1e-20f, 1e-19f, "would lose precision in bfloat16's subnormal range")]
    public void Merge_Keeps_Both_Bns_Rather_Than_Write_A_Damaged_Merged_Scale(OnnxDataType type, float g1, float g2, string fragment)
    {
        var model = new GraphBuilder(opset: 15)
            .Input("x", type, 1, 2, 1, 1)
            .Output("y", type, 1, 2, 1, 1)
            .Initializer("g1", [2], g1, 1f).Initializer("g2", [2], g2, 1f)
            .Initializer("z", [2], 0f, 0f).Initializer("one", [2], 1f, 1f)
            .Node("BatchNormalization", ["x", "g1", "z", "z", "one"], ["h1"], "bn1", ("epsilon", 0f))
            .Node("BatchNormalization", ["h1", "g2", "z", "z", "one"], ["h2"], "bn2", ("epsilon", 0f))
            .Node("Sigmoid", ["h2"], ["y"], "sig")
            .Build();

        var report = FoldPass.Run(model);

        Assert.Contains($"BN→BN merge: the merged scale {fragment}", Fate(report, "bn1").Detail);
    }

    [Fact]
    public void Shift_Over_Scale_That_Would_Overflow_Float16_Keeps_The_Bn()
    {
        // s = 1e-3, t = 100: t/s = 1e5 is beyond float16's 65504.
        var model = new GraphBuilder(opset: 15)
            .Input("x", OnnxDataType.Float16, 1, 2, 1, 1)
            .Output("y", OnnxDataType.Float16, 1, 2, 1, 1)
            .Initializer("g", [2], 1e-3f, 1f).Initializer("be", [2], 100f, 0f).Initializer("mu", [2], 0f, 0f).Initializer("va", [2], 1f, 1f)
            .Initializer(Weight("W", OnnxDataType.Float16, [2, 2, 1, 1], 1))
            .Node("BatchNormalization", ["x", "g", "be", "mu", "va"], ["h"], "bn", ("epsilon", 0f))
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("Conv", ["r", "W"], ["y"], "conv")
            .Build();

        AssertKept(FoldPass.Run(model), "bn", "BN→Relu→Linear: the shift t/s would overflow float16");
    }

    [Fact]
    public void Lowering_Does_Not_Write_A_Scale_Float16_Cannot_Hold()
    {
        // Kept (a graph output follows), then asked to lower: s = 70000 as a float16 Mul constant would be inf.
        var model = new GraphBuilder(opset: 15)
            .Input("x", OnnxDataType.Float16, 1, 2, 1, 1)
            .Output("y", OnnxDataType.Float16, 1, 2, 1, 1)
            .Initializer("g", [2], 70000f, 1f).Initializer("be", [2], 0f, 0f).Initializer("mu", [2], 0f, 0f).Initializer("va", [2], 1f, 1f)
            .Node("BatchNormalization", ["x", "g", "be", "mu", "va"], ["y"], "bn", ("epsilon", 0f))
            .Build();

        var report = FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });

        AssertKept(report, "bn", "not lowered: the scale s would overflow float16");
    }
}
