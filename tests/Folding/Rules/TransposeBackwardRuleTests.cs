using OnnxBn.TestUtilities;
using OnnxBn.Runtime.Reference;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// NHWC graphs: a BN (or tf2onnx's Mul/Add) reached through a Transpose folds into the Conv/Gemm/MatMul before it
/// when the permutation maps the BN's axis onto the linear op's feature axis, and is kept saying which axis it hit
/// otherwise. Includes a seeded family over ranks, permutations and BN axes.
/// </summary>
public sealed class TransposeBackwardRuleTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    private static float[] Ramp(int n, double phase = 0) => Enumerable.Range(0, n).Select(i => (float)Math.Sin(0.7 * i + phase)).ToArray();

    /// <summary>x:[N,2,3,3] → Conv(W [4,2,1,1], b) → c:[N,4,3,3] → Transpose(0,2,3,1) → t:[N,3,3,4] → Mul([4]) → Add([4]) → y.</summary>
    private static GraphBuilder NhwcConvMulAdd() => new GraphBuilder()
        .Input("x", Float, "N", 2, 3, 3)
        .Output("y", Float, "N", 3, 3, 4)
        .Initializer("W", [4, 2, 1, 1], Ramp(8))
        .Initializer("b", [4], 0.5f, -1f, 2f, 0f)
        .Initializer("s", [4], 2f, -0.5f, 3f, 1.25f)
        .Initializer("t", [4], 1f, 2f, -3f, 0.25f)
        .Node("Conv", ["x", "W", "b"], ["c"], "conv")
        .Node("Transpose", ["c"], ["t_out"], "to_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
        .Node("Mul", ["t_out", "s"], ["m"], "bn/mul")
        .Node("Add", ["m", "t"], ["y"], "bn/add");

    [Fact]
    public void Keras_Bn_On_The_Last_Axis_After_An_Nhwc_Transpose_Folds_Into_The_Conv()
    {
        var model = NhwcConvMulAdd().Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv (through to_nhwc)", Fate(report, "bn/mul").Description);
        Assert.Equal(["Conv", "Transpose"], OpTypes(model));
        Assert.Equal("y", model.Graph.Nodes[1].Output(0));
        AssertSameOutputs(original, model, Feed("x", Input(2, 2, 3, 3)));
    }

    [Fact]
    public void Bn_On_An_Axis_The_Permutation_Maps_To_A_Spatial_Axis_Is_Kept_Saying_Which()
    {
        // BN normalizes axis 1 of [N,H,W,C], which is the Conv's H: not a per-channel map of the Conv.
        var model = new GraphBuilder()
            .Input("x", Float, "N", 2, 3, 3)
            .Output("y", Float, "N", 3, 3, 4)
            .Initializer("W", [4, 2, 1, 1], Ramp(8))
            .Initializer("g", [3], 1f, 2f, 3f).Initializer("be", [3], 0f, 1f, 0f)
            .Initializer("mu", [3], 0f, 0f, 1f).Initializer("va", [3], 1f, 1f, 4f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["t"], "to_nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("BatchNormalization", ["t", "g", "be", "mu", "va"], ["y"], "bn")
            .Build();

        var report = FoldPass.Run(model);

        Assert.Contains("Linear←Transpose←BN: Conv←BN (axis 2 of the Transpose input): scales axis 2, not Conv's channel axis 1", Fate(report, "bn").Detail);
        Assert.Equal(BnOutcome.Kept, Fate(report, "bn").Outcome);
    }

    [Fact]
    public void Bn1d_After_A_Sequence_MatMul_And_One_Transpose_Folds()
    {
        // x:[N,L,3] → MatMul(W [3,2]) → [N,L,2] → Transpose(0,2,1) → [N,2,L] → BN (axis 1 = the MatMul's features).
        var model = new GraphBuilder()
            .Input("x", Float, "N", 4, 3)
            .Output("y", Float, "N", 2, 4)
            .Initializer("W", [3, 2], Ramp(6))
            .Node("MatMul", ["x", "W"], ["m"], "dense")
            .Node("Transpose", ["m"], ["t"], "swap", ("perm", new long[] { 0, 2, 1 }))
            .Bn("bn", "t", "y")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        Assert.Equal(["MatMul", "Add", "Transpose"], OpTypes(model));
        AssertSameOutputs(original, model, Feed("x", Input(2, 4, 3)));
    }

    [Fact]
    public void A_Transpose_Read_By_Another_Node_Is_Not_Folded_Through()
    {
        var model = NhwcConvMulAdd().Output("t_out", Float, "N", 3, 3, 4).Build();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, Fate(report, "bn/mul").Outcome);
        Assert.Contains("Transpose output is also a graph output", Fate(report, "bn/mul").Detail);
    }

    /// <summary>
    /// Seeded family: x:[1,C,d...] (rank 3–5) → Conv(1×…×1, random C→M, bias or not) → Transpose(random perm) → BN on a
    /// random axis of the transposed tensor (its length = that axis' size). Folded ≡ original, and the BN folds
    /// exactly when perm maps its axis onto the Conv's channel axis 1.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_Permutations_Fold_Exactly_When_The_Bn_Axis_Maps_To_The_Channels(int seed)
    {
        var random = new Random(seed);
        int rank = random.Next(3, 6);
        int inChannels = random.Next(1, 4), outChannels = random.Next(2, 5);
        long[] dims = [1, inChannels, .. Enumerable.Range(0, rank - 2).Select(_ => (long)random.Next(2, 4))];
        long[] convDims = [1, outChannels, .. dims[2..]];
        long[] perm = [.. Enumerable.Range(0, rank).Select(i => (long)i).OrderBy(_ => random.Next())];
        long[] transposed = [.. perm.Select(p => convDims[p])];
        // Half the time aim at the channel axis, else any axis but the batch.
        int axis = random.Next(2) == 0 ? Array.IndexOf(perm, 1L) : random.Next(1, rank);
        int length = (int)transposed[axis];
        var builder = new GraphBuilder()
            .Input("x", Float, dims.Cast<object>().ToArray())
            .Output("y", Float, transposed.Cast<object>().ToArray())
            .Initializer("W", [outChannels, inChannels, .. Enumerable.Repeat(1L, rank - 2)], Ramp(outChannels * inChannels, seed))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["t"], "transpose", ("perm", perm));
        // A BN (axis 1) when the axis is 1, else tf2onnx's Mul/Add with a constant varying along that axis.
        if (axis == 1)
            builder.Initializer("g", [length], Ramp(length, 1)).Initializer("be", [length], Ramp(length, 2))
                .Initializer("mu", [length], Ramp(length, 3)).Initializer("va", [length], [.. Enumerable.Repeat(2f, length)])
                .Node("BatchNormalization", ["t", "g", "be", "mu", "va"], ["y"], "bn");
        else
        {
            long[] constant = [.. Enumerable.Range(axis, rank - axis).Select(i => i == axis ? (long)length : 1L)];
            builder.Initializer("s", constant, Ramp(length, 4)).Initializer("b", constant, Ramp(length, 5))
                .Node("Mul", ["t", "s"], ["m"], "bn").Node("Add", ["m", "b"], ["y"], "bn_add");
        }
        var model = builder.Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        // A one-entry Mul/Add constant scales every element alike and folds anywhere; a one-channel BN on the batch
        // axis (seeds 21 and 58: the Transposed batch axis of size 1) is a per-sample map the Conv cannot take.
        bool expected = perm[axis] == 1 || length == 1 && axis != 1;
        var fate = Fate(report, "bn");
        Assert.True(expected == (fate.Outcome == BnOutcome.FoldedBackward),
            $"seed {seed}: perm {ShapeMath.Format(perm)}, axis {axis}, expected folded={expected}, got {fate.Description}");
        AssertSameOutputs(original, model, Feed("x", Input(dims)), 1e-6);
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 60)];

    [Fact]
    public void Pinned_Seed_58_A_One_Channel_Bn_On_The_Transposed_Batch_Axis_Is_Kept()
    {
        // perm [1,0,2] puts the Conv's channels first and its batch (size 1) on axis 1, where the BN sits.
        var model = new GraphBuilder()
            .Input("x", Float, 1, 2, 3)
            .Output("y", Float, 3, 1, 3)
            .Initializer("W", [3, 2, 1], Ramp(6))
            .Initializer("g", [1], 2f).Initializer("be", [1], 1f).Initializer("mu", [1], 0f).Initializer("va", [1], 1f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["t"], "transpose", ("perm", new long[] { 1, 0, 2 }))
            .Node("BatchNormalization", ["t", "g", "be", "mu", "va"], ["y"], "bn")
            .Build();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, Fate(report, "bn").Outcome);
        Assert.Contains("axis 0 of the Transpose input", Fate(report, "bn").Detail);
    }
}
