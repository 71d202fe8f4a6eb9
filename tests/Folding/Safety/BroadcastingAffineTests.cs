using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// A tf2onnx-style Mul/Add "BN" whose constant has C entries where its input has 1 broadcasts the input up
/// ([N,1,H,W]·[C,1,1] is [N,C,H,W]). Folding it as if it kept the shape would leave the linear op reading x
/// (1·H·W features instead of C·H·W): it must be kept, untouched, with the reason in the report.
/// </summary>
public sealed class BroadcastingAffineTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    /// <summary><paramref name="v"/> → Mul(s [3,1,1]) → Add(t [3,1,1]) → a → Flatten → Gemm(B [12, 2]) → y.</summary>
    private static GraphBuilder AffineFlattenGemm(GraphBuilder builder, string v) => builder
        .Output("y", Float, "N", 2)
        .Initializer("s", [3, 1, 1], 2f, -1f, 0.5f)
        .Initializer("t", [3, 1, 1], 1f, 0f, -2f)
        .Initializer("B", [12, 2], Ramp(24))
        .Node("Mul", [v, "s"], ["m"], "bn/mul")
        .Node("Add", ["m", "t"], ["a"], "bn/add")
        .Node("Flatten", ["a"], ["f"], "flatten")
        .Node("Gemm", ["f", "B"], ["y"], "fc");

    private static float[] Ramp(int count) => Enumerable.Range(0, count).Select(i => (i % 7 - 3) * 0.25f).ToArray();

    /// <summary>Folds a copy of <paramref name="builder"/>'s model and asserts it kept the Mul+Add and changed nothing.</summary>
    private static BnFate AssertKeptUntouched(GraphBuilder builder, string input, params long[] shape)
    {
        var original = builder.Build();
        var folded = builder.Build();
        var report = FoldPass.Run(folded);

        Assert.Equal(original.ToBytes(), folded.ToBytes());
        AssertSameOutputs(original, folded, Feed(input, Input(shape)));
        var fate = Assert.Single(report.Fates);
        Assert.Equal("bn/mul", fate.Node);
        Assert.Equal("Mul+Add", fate.Kind);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        return fate;
    }

    [Fact]
    public void One_Channel_Input_Broadcast_To_Three_Before_Flatten_Gemm_Is_Kept_Untouched()
    {
        var builder = AffineFlattenGemm(new GraphBuilder().Input("x", Float, "N", 1, 2, 2), "x");

        var fate = AssertKeptUntouched(builder, "x", 2, 1, 2, 2);
        Assert.Contains("BN→Gemm: Mul: 'x' has 1 entry on axis 1, so the [3,1,1] constant broadcasts it to 3", fate.Detail);
    }

    [Fact]
    public void Input_Whose_Channel_Count_Cannot_Be_Proven_Is_Kept_With_The_Reason()
    {
        var builder = AffineFlattenGemm(new GraphBuilder().Input("x", Float, "N", "C", "H", "W"), "x");

        var fate = AssertKeptUntouched(builder, "x", 2, 1, 2, 2);
        Assert.Contains("BN→Gemm: Mul: cannot prove 'x' has 3 channels on axis 1; a [3,1,1] constant could broadcast it", fate.Detail);
    }

    [Theory]
    [InlineData("Gemm")]
    [InlineData("MatMul")]
    public void Mul_Add_Of_A_C_Vector_On_An_N_By_1_Input_Is_Not_Folded_Into_The_Linear_Op(string linear)
    {
        // x:[N,1] · s:[3] is [N,3]: the linear op's B has 3 rows, which x alone could not feed.
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 1)
            .Output("y", Float, "N", 2)
            .Initializer("s", [3], 2f, -1f, 0.5f)
            .Initializer("t", [3], 1f, 0f, -2f)
            .Initializer("B", [3, 2], Ramp(6))
            .Node("Mul", ["x", "s"], ["m"], "bn/mul")
            .Node("Add", ["m", "t"], ["a"], "bn/add")
            .Node(linear, ["a", "B"], ["y"], "fc");

        var fate = AssertKeptUntouched(builder, "x", 2, 1);
        Assert.Contains($"BN→{linear}: Mul: 'x' has 1 entry on axis 1, so the [3] constant broadcasts it to 3", fate.Detail);
    }

    [Fact]
    public void Mul_Add_Broadcasting_A_One_Channel_Conv_Output_Is_Folded_Neither_Way()
    {
        // Nothing declares c's shape; a's declared [N,3,2,2] is the broadcast result and must not vouch for c.
        var builder = AffineFlattenGemm(new GraphBuilder()
            .Input("x", Float, "N", 2, 2, 2)
            .ValueInfo("a", Float, "N", 3, 2, 2)
            .Initializer("W", [1, 2, 1, 1], 1f, -0.5f)
            .Node("Conv", ["x", "W"], ["c"], "conv"), "c");

        var fate = AssertKeptUntouched(builder, "x", 2, 2, 2, 2);
        Assert.Contains("Conv←BN: 3 channels, but Conv has 1 output channels", fate.Detail);
        Assert.Contains("BN→Gemm: Mul: 'c' has 1 entry on axis 1, so the [3,1,1] constant broadcasts it to 3", fate.Detail);
    }

    [Fact]
    public void All_Ones_Constant_That_Could_Raise_An_Unknown_Rank_Is_Not_Read_As_An_Affine_Op()
    {
        // Squeeze without axes hides q's rank ([2] here): Mul and Add by [1,1] constants make it [1,2], which MatMul
        // reads; bypassed, MatMul would read [2] and give y the wrong rank.
        var builder = new GraphBuilder()
            .Input("x", Float, 1, 2, 1)
            .Output("y", Float, 1, 2)
            .Initializer("s", [1, 1], 3f)
            .Initializer("t", [1, 1], -1f)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("Squeeze", ["x"], ["q"], "squeeze")
            .Node("Mul", ["q", "s"], ["m"], "scale")
            .Node("Add", ["m", "t"], ["a"], "shift")
            .Node("MatMul", ["a", "B"], ["y"], "mm");
        var original = builder.Build();
        var folded = builder.Build();

        var report = FoldPass.Run(folded);

        Assert.Empty(report.Fates);
        Assert.Equal(original.ToBytes(), folded.ToBytes());
        AssertSameOutputs(original, folded, Feed("x", Input(1, 2, 1)));
    }
}
