using OnnxBn.Folding.Tests.Safety;
using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// A tf2onnx Mul/Add affine op folds forward when its input provably has the constant's channel count (read from the
/// Conv, Gemm or MatMul weight that produced it, through activations, or from a declared shape), and only then;
/// merges never hide that proof.
/// </summary>
public sealed class ProvenChannelFoldTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    private static float[] Ramp(int count) => Enumerable.Range(0, count).Select(i => (i % 5 - 2) * 0.3f).ToArray();

    /// <summary><paramref name="v"/> → Mul(s) → Add(t) → a → [Flatten →] <paramref name="linear"/>(B [K, 2]) → y.</summary>
    private static GraphBuilder AffineThen(GraphBuilder builder, string v, long[] constantDims, string linear, long features, bool flatten)
    {
        long channels = constantDims.Length == 0 ? 1 : constantDims.Max();
        float[] s = [.. Enumerable.Range(0, (int)channels).Select(c => 1.5f - c)];
        float[] t = [.. Enumerable.Range(0, (int)channels).Select(c => 0.25f * c - 1)];
        builder
            .Output("y", Float, "N", 2)
            .Initializer("s", constantDims, s)
            .Initializer("t", constantDims, t)
            .Initializer("B2", [features, 2], Ramp((int)features * 2))
            .Node("Mul", [v, "s"], ["m"], "bn/mul")
            .Node("Add", ["m", "t"], ["a"], "bn/add");
        if (flatten) builder.Node("Flatten", ["a"], ["f"], "flatten");
        return builder.Node(linear, [flatten ? "f" : "a", "B2"], ["y"], "fc");
    }

    /// <summary>Folds <paramref name="builder"/>'s model and checks every fate and the outputs against the original.</summary>
    private static OnnxModel AssertFolds(GraphBuilder builder, IReadOnlyDictionary<string, RefTensor> inputs,
        BnOutcome outcome, string target)
    {
        var original = builder.Build();
        var folded = builder.Build();
        var report = FoldPass.Run(folded);

        Assert.NotEmpty(report.Fates);
        Assert.All(report.Fates, f => Assert.Equal(outcome, f.Outcome));
        Assert.All(report.Fates, f => Assert.StartsWith(target, f.Detail));
        SafetyFixtures.AssertSameOutputs(original, folded, inputs);
        return folded;
    }

    [Fact]
    public void Folds_Forward_When_A_Conv_Weight_Proves_The_Channels_Through_Relu()
    {
        var builder = AffineThen(new GraphBuilder()
            .Input("x", Float, "N", 2, 2, 2)
            .Initializer("W", [3, 2, 1, 1], 1f, -1f, 0.5f, 2f, -0.5f, 1f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Relu", ["c"], ["r"], "relu"), "r", [3, 1, 1], "Gemm", features: 12, flatten: true);

        var folded = AssertFolds(builder, SafetyFixtures.Feed("x", SafetyFixtures.Input(2, 2, 2, 2)), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["Conv", "Relu", "Flatten", "Gemm"], folded.OpTypes());
        Assert.Equal("r", folded.Single("Flatten").Input(0));
    }

    [Fact]
    public void Folds_Forward_When_A_Gemm_Weight_Proves_The_Features_Through_Relu()
    {
        var builder = AffineThen(new GraphBuilder()
            .Input("x", Float, "N", 4)
            .Initializer("B1", [3, 4], Ramp(12))
            .Node("Gemm", ["x", "B1"], ["g"], "fc0", ("transB", 1L))
            .Node("Relu", ["g"], ["r"], "relu"), "r", [3], "Gemm", features: 3, flatten: false);

        var folded = AssertFolds(builder, SafetyFixtures.Feed("x", SafetyFixtures.Input(2, 4)), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["Gemm", "Relu", "Gemm"], folded.OpTypes());
    }

    [Fact]
    public void Folds_Forward_When_A_MatMul_Weight_Proves_The_Features_Through_Relu()
    {
        var builder = AffineThen(new GraphBuilder()
            .Input("x", Float, "N", 4)
            .Initializer("W1", [4, 3], Ramp(12))
            .Node("MatMul", ["x", "W1"], ["p"], "mm0")
            .Node("Relu", ["p"], ["r"], "relu"), "r", [3], "MatMul", features: 3, flatten: false);

        var folded = AssertFolds(builder, SafetyFixtures.Feed("x", SafetyFixtures.Input(2, 4)), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["MatMul", "Relu", "MatMul", "Add"], folded.OpTypes());
    }

    /// <summary>
    /// x1:[N,2,2,2] ‖ x2:[N,K,2,2] → Concat(axis 1) → c: with x2's channels symbolic (K, fed 1 at run time) nothing
    /// but a declaration of c tells its channel count; with x2 declared [N,1,2,2] the shape inference adds 2 + 1.
    /// </summary>
    private static GraphBuilder ConcatThenAffine(bool declared, bool x2Known = false)
    {
        var builder = new GraphBuilder()
            .Input("x1", Float, "N", 2, 2, 2)
            .Input("x2", Float, "N", x2Known ? 1 : (object)"K", 2, 2)
            .Node("Concat", ["x1", "x2"], ["c"], "concat", ("axis", 1L));
        if (declared) builder.ValueInfo("c", Float, "N", 3, 2, 2);
        return AffineThen(builder, "c", [3, 1, 1], "Gemm", features: 12, flatten: true);
    }

    private static Dictionary<string, RefTensor> ConcatInputs() => new()
    {
        ["x1"] = SafetyFixtures.Input(2, 2, 2, 2),
        ["x2"] = SafetyFixtures.Input(2, 1, 2, 2),
    };

    [Fact]
    public void Folds_Forward_When_Value_Info_Declares_The_Channels()
    {
        var folded = AssertFolds(ConcatThenAffine(declared: true), ConcatInputs(), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["Concat", "Flatten", "Gemm"], folded.OpTypes());
    }

    [Fact]
    public void Folds_Forward_When_Concat_Adds_Up_The_Channels()
    {
        var folded = AssertFolds(ConcatThenAffine(declared: false, x2Known: true), ConcatInputs(), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["Concat", "Flatten", "Gemm"], folded.OpTypes());
    }

    [Fact]
    public void Is_Kept_With_The_Reason_When_Nothing_Proves_The_Channels()
    {
        var folded = AssertFolds(ConcatThenAffine(declared: false), ConcatInputs(), BnOutcome.Kept,
            "BN→Gemm: Mul: cannot prove 'c' has 3 channels on axis 1; a [3,1,1] constant could broadcast it");
        Assert.Equal(["Concat", "Mul", "Add", "Flatten", "Gemm"], folded.OpTypes());
    }

    [Fact]
    public void All_Ones_Constants_Fold_Without_Knowing_The_Channels()
    {
        // A [1,1,1] constant scales every element alike and cannot broadcast x: its channel count does not matter.
        var builder = AffineThen(new GraphBuilder().Input("x", Float, "N", "C", 2, 2), "x", [1, 1, 1], "Gemm", features: 8, flatten: true);

        var folded = AssertFolds(builder, SafetyFixtures.Feed("x", SafetyFixtures.Input(2, 2, 2, 2)), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["Flatten", "Gemm"], folded.OpTypes());
    }

    [Fact]
    public void Bn_Then_Mul_Add_Fold_Forward_One_By_One_When_Only_The_Bn_Proves_The_Channels()
    {
        // Merged into one Mul+Add on x, nothing would show that x has 2 channels; apart, each folds into fc.
        var builder = new GraphBuilder()
            .Input("x", Float, "N", "C")
            .Bn("bn", "x", "h");
        builder = AffineThen(builder, "h", [2], "Gemm", features: 2, flatten: false);

        var folded = AssertFolds(builder, SafetyFixtures.Feed("x", SafetyFixtures.Input(3, 2)), BnOutcome.FoldedForward, "fc");
        Assert.Equal(["Gemm"], folded.OpTypes());
        Assert.Equal("x", folded.Single("Gemm").Input(0));
    }

    [Fact]
    public void Broadcasting_Mul_Add_Is_Not_Merged_With_The_Bn_After_It_Which_Folds_On_Its_Own()
    {
        // x:[N,1] · [2] is [N,2]: the Mul+Add is no BN, but the BN reading its output folds into fc as usual.
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 1)
            .Output("y", Float, "N", 2)
            .Initializer("s", [2], 2f, -1f)
            .Initializer("t", [2], 0.5f, 1f)
            .Initializer("B2", [2, 2], Ramp(4))
            .Node("Mul", ["x", "s"], ["m"], "k/mul")
            .Node("Add", ["m", "t"], ["a"], "k/add")
            .Bn("bn", "a", "b")
            .Node("Gemm", ["b", "B2"], ["y"], "fc");
        var original = builder.Build();
        var folded = builder.Build();
        var report = FoldPass.Run(folded);

        Assert.Equal(["Mul", "Add", "Gemm"], folded.OpTypes());
        Assert.Equal("a", folded.Single("Gemm").Input(0));
        Assert.Equal(BnOutcome.FoldedForward, Assert.Single(report.Fates, f => f.Node == "bn").Outcome);
        var mul = Assert.Single(report.Fates, f => f.Node == "k/mul");
        Assert.Equal(BnOutcome.Kept, mul.Outcome);
        Assert.Contains("Mul: 'x' has 1 entry on axis 1, so the [2] constant broadcasts it to 2", mul.Detail);
        SafetyFixtures.AssertSameOutputs(original, folded, SafetyFixtures.Feed("x", SafetyFixtures.Input(3, 1)));
    }
}
