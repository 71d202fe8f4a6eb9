using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class AffineChainMergeRuleTests
{
    // bn1: s = [1,2], t = [0.5,-3]; bn2: s = [2,1], t = [1,0] → merged s = [2,2], t = [2·0.5 + 1, 1·(−3) + 0] = [2,-3]

    [Fact]
    public void Conv_Bn_Bn_Folds_Completely_And_Reports_Both_Bns_Folded_Backward()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 3, 3)
            .Output("y", OnnxDataType.Float, 1, 2, 3, 3)
            .Initializer("W", [2, 2, 1, 1], 1f, 2f, 3f, 4f)
            .Initializer("b", [2], 10f, 20f)
            .Node("Conv", ["x", "W", "b"], ["c"], "conv")
            .Bn("bn1", "c", "h")
            .SecondBn("bn2", "h", "y")
            .Build();
        var report = FoldPass.Run(model);

        // W'[o] = s[o]·W[o] = [2,4,6,8]; b' = s·b + t = [22, 37]
        var conv = Assert.Single(model.Graph.Nodes);
        Assert.Equal("y", conv.Output(0));
        Assert.Equal([2.0, 4, 6, 8], model.Values(conv.Input(1)));
        Assert.Equal([22.0, 37], model.Values(conv.Input(2)));
        Assert.Equal(["bn1", "bn2"], report.Fates.Select(f => f.Node));
        Assert.All(report.Fates, f => Assert.Equal(BnOutcome.FoldedBackward, f.Outcome));
        Assert.All(report.Fates, f => Assert.StartsWith("folded backward into conv", f.Description));
    }

    [Fact]
    public void Bn_Bn_Gemm_Folds_Forward()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("C", [2], 10f, 20f)
            .Bn("bn1", "x", "h")
            .SecondBn("bn2", "h", "g")
            .Node("Gemm", ["g", "B", "C"], ["y"], "fc", ("transB", 1L))
            .Build();
        var report = FoldPass.Run(model);

        // B' = B·diag(s) = [[2,4],[6,8]]; C' = C + t·Bᵀ = [10 + 2 − 6, 20 + 6 − 12]
        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal("x", gemm.Input(0));
        Assert.Equal([2.0, 4, 6, 8], model.Values(gemm.Input(1)));
        Assert.Equal([6.0, 14], model.Values(gemm.Input(2)));
        Assert.Equal(2, report.Fates.Count);
        Assert.All(report.Fates, f => Assert.Equal(BnOutcome.FoldedForward, f.Outcome));
    }

    [Fact]
    public void Three_Bns_In_A_Row_Fold_As_One()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Bn("bn1", "x", "h1")
            .SecondBn("bn2", "h1", "h2")
            .SecondBn("bn3", "h2", "h3")
            .Node("Gemm", ["h3", "B"], ["y"], "fc")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["Gemm"], model.OpTypes());
        Assert.Equal(["bn1", "bn2", "bn3"], report.Fates.Select(f => f.Node).Order());
        Assert.All(report.Fates, f => Assert.Equal(BnOutcome.FoldedForward, f.Outcome));
    }

    [Fact]
    public void Unfoldable_Chain_Stays_Two_Bns_Unless_Lowering_Was_Asked_For()
    {
        var model = UnfoldableChain().Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Relu", "BatchNormalization", "BatchNormalization", "Relu"], model.OpTypes());
        Assert.Equal(["bn1", "bn2"], report.Fates.Select(f => f.Node));
        Assert.All(report.Fates, f => Assert.Equal(BnOutcome.Kept, f.Outcome));
        Assert.Contains("merged with bn2, the chain would have no linear op to fold into", report.Fates[0].Detail);
        Assert.Contains("both stay as they are", report.Fates[0].Detail);
        Safety.SafetyFixtures.AssertSameOutputs(original, model, Safety.SafetyFixtures.Feed("x", Safety.SafetyFixtures.Input(1, 2, 2, 2)));
    }

    [Fact]
    public void A_Chain_Of_Three_Bns_Before_A_Gemm_Still_Merges_And_Folds_Forward()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 3)
            .Initializer("B", [3, 8], Enumerable.Range(0, 24).Select(i => (float)Math.Cos(i)).ToArray())
            .Node("Relu", ["x"], ["r"], "relu")
            .Bn("bn1", "r", "h")
            .SecondBn("bn2", "h", "g")
            .Bn("bn3", "g", "k")
            .Node("Flatten", ["k"], ["f"], "flatten")
            .Node("Gemm", ["f", "B"], ["y"], "fc", ("transB", 1L))
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(["Relu", "Flatten", "Gemm"], model.OpTypes());
        Assert.Equal(3, report.Fates.Count(f => f.Kind == "BatchNormalization" && f.Outcome == BnOutcome.FoldedForward));
        Safety.SafetyFixtures.AssertSameOutputs(original, model, Safety.SafetyFixtures.Feed("x", Safety.SafetyFixtures.Input(1, 2, 2, 2)));
    }

    /// <summary>x → Relu → bn1 → bn2 → Relu → y: a BN chain with no linear op on either side.</summary>
    private static GraphBuilder UnfoldableChain() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
        .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
        .Node("Relu", ["x"], ["r"], "relu")
        .Bn("bn1", "r", "h")
        .SecondBn("bn2", "h", "g")
        .Node("Relu", ["g"], ["y"], "relu2");

    [Fact]
    public void Unfoldable_Chain_Is_Lowered_As_One_Mul_Add_And_Both_Bns_Are_Reported_Lowered()
    {
        var model = UnfoldableChain().Build();
        var report = FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });

        Assert.Equal(["Relu", "Mul", "Add", "Relu"], model.OpTypes());
        var mul = model.Single("Mul");
        Assert.Equal("r", mul.Input(0));
        Assert.Equal([2L, 1, 1], model.Graph.Initializer(mul.Input(1))!.Dims);
        Assert.Equal([2.0, 2], model.Values(mul.Input(1)));
        Assert.Equal([2.0, -3], model.Values(model.Single("Add").Input(1)));
        Assert.Equal("g", model.Single("Add").Output(0));
        Assert.Equal(["bn1", "bn2"], report.Fates.Select(f => f.Node));
        // No BatchNormalization node is left: the count of lowered BNs says so, as for a BN lowered alone.
        Assert.All(report.Fates, f => Assert.Equal(BnOutcome.Lowered, f.Outcome));
        Assert.Equal(2, report.Lowered);
        Assert.All(report.Fates, f => Assert.StartsWith($"merged into {mul.Name}, which stays", f.Detail));
    }

    [Fact]
    public void Lowering_Merges_Bn_With_A_Following_Keras_Mul_Add()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Initializer("k.scale", [2], 2f, 1f)
            .Initializer("k.shift", [2], 1f, 0f)
            .Node("Relu", ["x"], ["r"], "relu")
            .Bn("bn1", "r", "h")
            .Node("Mul", ["h", "k.scale"], ["m"], "k/mul")
            .Node("Add", ["m", "k.shift"], ["a"], "k/add")
            .Node("Relu", ["a"], ["y"], "relu2")
            .Build();
        var report = FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });

        Assert.Equal(["Relu", "Mul", "Add", "Relu"], model.OpTypes());
        Assert.Equal([2.0, 2], model.Values(model.Single("Mul").Input(1)));
        Assert.Equal([2.0, -3], model.Values(model.Single("Add").Input(1)));
        Assert.Equal(["bn1", "k/mul"], report.Fates.Select(f => f.Node));
    }

    [Fact]
    public void Does_Not_Merge_Bns_On_Different_Axes()
    {
        // bn1 normalizes axis 1 of [1,2,2]; the Mul scales the last axis
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2)
            .Initializer("k.scale", [2], 2f, 1f)
            .Node("Relu", ["x"], ["r"], "relu")
            .Bn("bn1", "r", "h")
            .Node("Mul", ["h", "k.scale"], ["y"], "k/mul")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["Relu", "BatchNormalization", "Mul"], model.OpTypes());
        Assert.Contains("BN→BN merge: axis 1 and axis -1 of k/mul are different axes", report.Fates[0].Detail);
    }

    [Fact]
    public void Does_Not_Merge_When_The_First_Output_Has_Another_Reader()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Output("h", OnnxDataType.Float, 1, 2)
            .Node("Relu", ["x"], ["r"], "relu")
            .Bn("bn1", "r", "h")
            .SecondBn("bn2", "h", "y")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(2, model.OpTypes().Count(o => o == "BatchNormalization"));
        Assert.Contains("BN→BN merge: output is a graph output", report.Fates[0].Detail);
    }

    [Fact]
    public void Keras_MatMul_Add_Mul_Add_Ends_As_One_MatMul_And_Add()
    {
        // tf2onnx's Dense then Keras BN on a rank-2 input: MatMul → Add(bias) → Mul(s) → Add(t); s = [1,2], t = [0.5,-3]
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Initializer("kernel", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("bias", [2], 10f, 20f)
            .Initializer("bn/mul_const", [2], 1f, 2f)
            .Initializer("bn/add_const", [2], 0.5f, -3f)
            .Node("MatMul", ["x", "kernel"], ["m"], "dense/MatMul")
            .Node("Add", ["m", "bias"], ["d"], "dense/BiasAdd")
            .Node("Mul", ["d", "bn/mul_const"], ["bm"], "bn/mul")
            .Node("Add", ["bm", "bn/add_const"], ["b"], "bn/add")
            .Node("Relu", ["b"], ["y"], "relu")
            .Build();
        var report = FoldPass.Run(model);

        // kernel' = kernel·diag(s) = [[1,4],[3,8]]; bias' = s·bias + t = [10.5, 37]
        Assert.Equal(["MatMul", "Add", "Relu"], model.OpTypes());
        Assert.Equal([1.0, 4, 3, 8], model.Values(model.Single("MatMul").Input(1)));
        var add = model.Single("Add");
        Assert.Equal([10.5, 37], model.Values(add.Inputs.Single(i => i != model.Single("MatMul").Output(0))));
        Assert.Equal(add.Output(0), model.Single("Relu").Input(0));
        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
    }
}
