using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// BN → Relu/LeakyRelu/PRelu → [pools, Flatten] → Conv/Gemm/MatMul: the BN becomes Add(t/s) before the activation
/// and s folds into the linear op's input channels (ForwardFixtures.Bn: s = [1, 2], t = [0.5, -3], so t/s = [0.5, -1.5]).
/// </summary>
public sealed class ScaleThroughActivationRuleTests
{
    private static readonly float[] Kernel = [.. Enumerable.Range(0, 18).Select(i => (float)Math.Cos(i + 0.3))];

    /// <summary>x:[1,2,4,4] → BN → h → <paramref name="activation"/> → a → Conv(W [1,2,3,3], pads 1) → y.</summary>
    private static GraphBuilder BnActivationPaddedConv(string activation, params (string, object)[] attributes)
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 4, 4)
            .Output("y", OnnxDataType.Float, 1, 1, 4, 4)
            .Initializer("W", [1, 2, 3, 3], Kernel)
            .Initializer("slope", [2, 1, 1], 0.1f, 0.3f)
            .Bn("bn", "x", "h");
        builder = activation == "PRelu"
            ? builder.Node("PRelu", ["h", "slope"], ["a"], "act")
            : builder.Node(activation, ["h"], ["a"], "act", attributes);
        return builder.Node("Conv", ["a", "W"], ["y"], "conv", ("pads", new long[] { 1, 1, 1, 1 }));
    }

    [Fact]
    public void Bn_Relu_Padded_Conv_Becomes_Add_Relu_Conv_With_The_Scale_In_The_Weights()
    {
        var model = BnActivationPaddedConv("Relu").Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Add", "Relu", "Conv"], model.OpTypes());
        var add = model.Single("Add");
        Assert.Equal("h", add.Output(0));
        Assert.Equal([0.5, -1.5], model.Values(add.Input(1)));
        Assert.Equal([2L, 1, 1], Constant(model, add.Input(1)).Dims);
        double[] w = model.Values(model.Single("Conv").Input(1));
        Assert.Equal(Kernel.Take(9).Select(v => (double)v), w.Take(9));
        Assert.Equal(Kernel.Skip(9).Select(v => 2.0 * v), w.Skip(9));
        var fate = Fate(report, "bn");
        Assert.Equal(BnOutcome.FoldedForward, fate.Outcome);
        Assert.StartsWith("conv (scale through act; shift t/s kept as Add", fate.Detail);
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 4, 4)));
    }

    [Theory]
    [InlineData("LeakyRelu")]
    [InlineData("PRelu")]
    public void Leaky_And_Parametric_Relu_Carry_The_Scale_Too(string activation)
    {
        var model = BnActivationPaddedConv(activation, ("alpha", 0.2f)).Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Add", activation, "Conv"], model.OpTypes());
        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 4, 4)));
    }

    [Fact]
    public void DenseNet_Tail_Bn_Relu_Global_Average_Pool_Flatten_Linear_Folds_Into_The_Gemm()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2, 3, 3)
            .Output("y", OnnxDataType.Float, 2, 3)
            .Initializer("B", [3, 2], 1f, 2f, 3f, 4f, 5f, 6f)
            .Initializer("C", [3], 0.1f, 0.2f, 0.3f)
            .Bn("bn", "x", "h")
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("GlobalAveragePool", ["r"], ["g"], "gap")
            .Node("Flatten", ["g"], ["f"], "flatten")
            .Node("Gemm", ["f", "B", "C"], ["y"], "fc", ("transB", 1L))
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Add", "Relu", "GlobalAveragePool", "Flatten", "Gemm"], model.OpTypes());
        // B'[n, k] = B[n, k]·s[k] with transB: the columns scale by [1, 2]; C is untouched.
        Assert.Equal([1.0, 4, 3, 8, 5, 12], model.Values(model.Single("Gemm").Input(1)));
        Assert.Equal([0.1, 0.2, 0.3], model.Values(model.Single("Gemm").Input(2)), (a, b) => Math.Abs(a - b) < 1e-7);
        Assert.Equal("fc (scale through relu → gap → flatten; shift t/s kept as Add bn_shift)", Fate(report, "bn").Detail);
        AssertSameOutputs(original, model, Feed("x", Input(2, 2, 3, 3)));
    }

    [Fact]
    public void Scale_Passes_Max_And_Average_Pools_With_Padding_Into_A_MatMul()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 4, 4)
            .Output("y", OnnxDataType.Float, 1, 3)
            .Initializer("B", [8, 3], [.. Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i))])
            .Bn("bn", "x", "h")
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("MaxPool", ["r"], ["m"], "max", ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }))
            .Node("AveragePool", ["m"], ["p"], "avg", ("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 0, 0 }),
                ("count_include_pad", 1L), ("strides", new long[] { 1, 1 }))
            .Node("Flatten", ["p"], ["f"], "flatten")
            .Node("MatMul", ["f", "B"], ["y"], "fc")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Add", "Relu", "MaxPool", "AveragePool", "Flatten", "MatMul"], model.OpTypes());
        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 4, 4)));
    }

    [Fact]
    public void Scale_Follows_A_Transpose_Onto_The_Last_Axis_A_MatMul_Reads()
    {
        // [N, C, L] → BN → Relu → Transpose(0,2,1) → [N, L, C] → MatMul: channel axis 1 becomes axis 2.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 3)
            .Output("y", OnnxDataType.Float, 1, 3, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Bn("bn", "x", "h")
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("Transpose", ["r"], ["t"], "swap", ("perm", new long[] { 0, 2, 1 }))
            .Node("MatMul", ["t", "B"], ["y"], "fc")
            .Build();
        var original = model.Clone();

        FoldPass.Run(model);

        Assert.Equal(["Add", "Relu", "Transpose", "MatMul"], model.OpTypes());
        Assert.Equal([1.0, 2, 6, 8], model.Values(model.Single("MatMul").Input(1)));
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 3)));
    }

    [Fact]
    public void Negative_Scale_Keeps_The_Bn_And_Names_The_Channel()
    {
        var model = BnActivationPaddedConv("Relu").Build();
        model.Graph.SetInitializer(TensorData.Create("bn.gamma", [2], new[] { 2f, -0.6f }.AsSpan()));

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "channel 1 has scale -0.2: the scale cannot pass through Relu act");
        Assert.Equal(["BatchNormalization", "Relu", "Conv"], model.OpTypes());
    }

    [Fact]
    public void Several_Blocking_Channels_Are_Listed_With_Their_Scales()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 6, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 1, 2, 2)
            .Initializer("g", [6], 1f, -1f, -2f, 1f, -3f, -4f).Initializer("be", [6], 0f, 0f, 0f, 0f, 0f, 0f)
            .Initializer("mu", [6], 0f, 0f, 0f, 0f, 0f, 0f).Initializer("va", [6], 1f, 1f, 1f, 1f, 1f, 1f)
            .Initializer("W", [1, 6, 1, 1], 1f, 1f, 1f, 1f, 1f, 1f)
            .Node("BatchNormalization", ["x", "g", "be", "mu", "va"], ["h"], "bn", ("epsilon", 0f))
            .Node("LeakyRelu", ["h"], ["a"], "act")
            .Node("Conv", ["a", "W"], ["y"], "conv")
            .Build();

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "channels 1, 2, 4, 5 have scales -1, -2, -3, -4: the scale cannot pass through LeakyRelu act");
    }

    [Fact]
    public void Zero_Scale_Channel_Whose_Constant_Relu_Zeroes_Folds_Even_Into_A_Padded_Conv()
    {
        // γ0 = 0 and β0 = -1: channel 0 is Relu(-1) = 0 everywhere, so dropping it is exact at the border too.
        var model = BnActivationPaddedConv("Relu").Build();
        model.Graph.SetInitializer(TensorData.Create("bn.gamma", [2], new[] { 0f, 6f }.AsSpan()));
        model.Graph.SetInitializer(TensorData.Create("bn.beta", [2], new[] { -1f, -1f }.AsSpan()));
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        Assert.All(model.Values(model.Single("Conv").Input(1)).Take(9), w => Assert.Equal(0.0, w));
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 4, 4)));
    }

    [Fact]
    public void Zero_Scale_Channel_Of_Constant_Output_Moves_Into_The_Bias_Of_An_Unpadded_Conv()
    {
        // Channel 0 is Relu(β0 = 1) = 1 everywhere: its weights become 0 and the Conv's bias gains W[:,0]·1.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 2, 2], [.. Enumerable.Range(0, 16).Select(i => (float)Math.Sin(i + 1))])
            .Bn("bn", "x", "h")
            .Node("Relu", ["h"], ["a"], "act")
            .Node("MaxPool", ["a"], ["p"], "pool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 }), ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Conv", ["p", "W"], ["y"], "conv", ("strides", new long[] { 2, 2 }))
            .Build();
        model.Graph.SetInitializer(TensorData.Create("bn.gamma", [2], new[] { 0f, 6f }.AsSpan()));
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 3, 3)));
    }

    [Fact]
    public void Zero_Scale_Channel_Is_Kept_When_Its_Constant_Meets_A_Padded_Conv()
    {
        // Channel 0 is Relu(1) = 1 inside but the Conv pads with zeros: no bias reproduces that border.
        var model = BnActivationPaddedConv("Relu").Build();
        model.Graph.SetInitializer(TensorData.Create("bn.gamma", [2], new[] { 0f, 6f }.AsSpan()));

        AssertKept(FoldPass.Run(model), "bn", "padded Conv", "zero padding would see the shift at the border");
    }

    [Fact]
    public void Zero_Scale_Channel_Is_Kept_Where_Padding_Is_Averaged_In()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 4, 4)
            .Output("y", OnnxDataType.Float, 1, 1, 5, 5)
            .Initializer("W", [1, 2, 1, 1], 1f, 2f)
            .Bn("bn", "x", "h")
            .Node("Relu", ["h"], ["a"], "act")
            .Node("AveragePool", ["a"], ["p"], "avg", ("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("count_include_pad", 1L))
            .Node("Conv", ["p", "W"], ["y"], "conv")
            .Build();
        model.Graph.SetInitializer(TensorData.Create("bn.gamma", [2], new[] { 0f, 6f }.AsSpan()));

        AssertKept(FoldPass.Run(model), "bn", "channel 0 has scale 0: its constant output 1 does not stay constant through AveragePool avg");
    }

    [Fact]
    public void Negative_Scale_Passes_An_Average_Pool_Alone()
    {
        // No activation on the path: AveragePool is linear, so any non-zero scale commutes with it.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 4, 4)
            .Output("y", OnnxDataType.Float, 1, 1, 3, 3)
            .Initializer("W", [1, 2, 3, 3], Kernel)
            .Bn("bn", "x", "h")
            .Node("AveragePool", ["h"], ["p"], "avg", ("kernel_shape", new long[] { 2, 2 }))
            .Node("Conv", ["p", "W"], ["y"], "conv", ("pads", new long[] { 1, 1, 1, 1 }))
            .Build();
        model.Graph.SetInitializer(TensorData.Create("bn.gamma", [2], new[] { -2f, 6f }.AsSpan()));
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 4, 4)));
    }

    [Fact]
    public void Branching_Path_Keeps_The_Bn_With_The_Branch_Named()
    {
        var model = BnActivationPaddedConv("Relu")
            .Output("a2", OnnxDataType.Float, 1, 2, 4, 4)
            .Node("Sigmoid", ["a"], ["a2"], "side")
            .Build();

        AssertKept(FoldPass.Run(model), "bn", "act output feeds 2 nodes; the branch to side: ");
    }

    [Fact]
    public void Activation_Feeding_Two_Convs_Carries_The_Scale_Into_Both()
    {
        // A pre-activation ResNet block with a projection shortcut: BN → Relu → {Conv3x3 pad 1, Conv1x1}.
        var model = BnActivationPaddedConv("Relu")
            .Output("s", OnnxDataType.Float, 1, 3, 4, 4)
            .Initializer("P", [3, 2, 1, 1], 0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f)
            .Node("Conv", ["a", "P"], ["s"], "shortcut")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        var fate = Fate(report, "bn");
        Assert.Equal(BnOutcome.FoldedForward, fate.Outcome);
        Assert.StartsWith("conv, shortcut (scale through act; shift t/s kept as Add", fate.Detail);
        Assert.Equal(["Add", "Relu", "Conv", "Conv"], model.OpTypes());
        Assert.Equal([0.5, -2, 2, 0.5, -0.75, 3], model.Values(model.Graph.Nodes.Single(n => n.Name == "shortcut").Input(1)));
        AssertSameOutputs(original, model, Feed("x", Input(1, 2, 4, 4)));
    }

    [Fact]
    public void Path_Ending_Elsewhere_Than_A_Linear_Op_Leaves_The_Bn_Alone()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Bn("bn", "x", "h")
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("Sigmoid", ["r"], ["y"], "sig")
            .Build();

        var fate = Fate(FoldPass.Run(model), "bn");

        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.DoesNotContain("BN→Relu→Linear", fate.Detail);
    }

    [Fact]
    public void Shift_Folds_Backward_Into_A_Producing_Conv_Whose_Weight_Cannot_Take_The_Scale()
    {
        // conv1's float16 weight 60000 · s = 120000 overflows, so the BN cannot fold backward whole; its scale goes
        // forward into conv2 and its shift t/s into conv1's bias.
        var model = new GraphBuilder(opset: 15)
            .Input("x", OnnxDataType.Float16, 1, 2, 1, 1)
            .Output("y", OnnxDataType.Float16, 1, 1, 1, 1)
            .Initializer(TensorData.FromDoubles("W1", OnnxDataType.Float16, [2, 2, 1, 1], [60000, 1, 1, 1]))
            .Initializer(TensorData.FromDoubles("W2", OnnxDataType.Float16, [1, 2, 1, 1], [0.5, 0.25]))
            .Initializer("g", [2], 2f, 1f).Initializer("be", [2], 1f, -1f).Initializer("mu", [2], 0f, 0f).Initializer("va", [2], 1f, 1f)
            .Node("Conv", ["x", "W1"], ["c"], "conv1")
            .Node("BatchNormalization", ["c", "g", "be", "mu", "va"], ["h"], "bn", ("epsilon", 0f))
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("Conv", ["r", "W2"], ["y"], "conv2")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Conv", "Relu", "Conv"], model.OpTypes());
        Assert.Equal("conv2 (scale through relu; shift t/s folded backward into conv1)", Fate(report, "bn").Detail);
        Assert.Equal([0.5, -1], model.Values(model.Graph.Nodes[0].Input(2)));
        Assert.Equal([1.0, 0.25], model.Values(model.Graph.Nodes[2].Input(1)));
        AssertSameOutputs(original, model, Feed("x", RefTensorOf(1, 2, 1, 1, 0.001, 0.5)), tolerance: 1e-3);
    }

    [Fact]
    public void Forward_Only_Leaves_The_Shift_As_An_Add()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 1, 2, 2)
            .Initializer("W1", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Initializer("W2", [1, 2, 1, 1], 1f, 1f)
            .Node("Conv", ["x", "W1"], ["c"], "conv1")
            .Bn("bn", "c", "h")
            .Node("Relu", ["h"], ["r"], "relu")
            .Node("Conv", ["r", "W2"], ["y"], "conv2")
            .Build();

        var report = FoldPass.Run(model, new FoldOptions { Directions = FoldDirections.ForwardOnly });

        Assert.True(report.Fates[0].Outcome == BnOutcome.FoldedForward, report.Fates[0].Detail);
        Assert.Equal(["Conv", "Add", "Relu", "Conv"], model.OpTypes());
    }

    [Fact]
    public void Turned_Off_The_Pre_Activation_Bn_Is_Kept_As_Other_Tools_Keep_It()
    {
        var model = BnActivationPaddedConv("Relu").Build();

        var report = FoldPass.Run(model, new FoldOptions { ScaleThroughActivations = false });

        Assert.Equal(BnOutcome.Kept, Fate(report, "bn").Outcome);
        Assert.Equal(["BatchNormalization", "Relu", "Conv"], model.OpTypes());
    }

    private static Runtime.Reference.RefTensor RefTensorOf(long n, long c, long h, long w, params double[] values) =>
        Runtime.Reference.RefTensor.Of([n, c, h, w], values);
}
