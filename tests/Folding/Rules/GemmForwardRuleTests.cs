using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class GemmForwardRuleTests
{
    // x:[1,2] → BN (s = [1,2], t = [0.5,-3]) → h → Gemm(B, C) → y
    private static GraphBuilder BnThenGemm(bool transB = true, bool withC = true, params (string, object)[] attributes)
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("C", [2], 10f, 20f)
            .Bn("bn", "x", "h");
        return builder.Node("Gemm", withC ? ["h", "B", "C"] : ["h", "B"], ["y"], "fc",
            [.. attributes, ("transB", transB ? 1L : 0L)]);
    }

    [Fact]
    public void Folds_Bn_Into_Gemm_With_TransB_By_Hand_Worked_Numbers()
    {
        var model = BnThenGemm().Build();
        var report = FoldPass.Run(model);

        // B[n,k] with transB: column k scaled by s[k] → [[1,4],[3,8]]; (t·B)[n] = Σ_k t[k]·B[n,k] = [-5.5, -10.5]
        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal(["x", gemm.Input(1), gemm.Input(2)], gemm.Inputs);
        Assert.Equal("y", gemm.Output(0));
        Assert.Equal([1.0, 4, 3, 8], model.Values(gemm.Input(1)));
        Assert.Equal([4.5, 9.5], model.Values(gemm.Input(2)));
        Assert.True(model.IsGone("h"));
        var fate = Assert.Single(report.Fates);
        Assert.Equal(BnOutcome.FoldedForward, fate.Outcome);
        Assert.Equal("folded forward into fc", fate.Description);
    }

    [Fact]
    public void Folds_Alpha_And_Beta_Into_C_With_TransB_0()
    {
        var model = BnThenGemm(false, true, ("alpha", 2f), ("beta", 0.5f)).Build();
        FoldPass.Run(model);

        // B[k,n]: row k scaled by s[k] → [[1,2],[6,8]]; C' = 0.5·[10,20] + 2·(t·B) = 0.5·[10,20] + 2·[-8.5,-11]
        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal([1.0, 2, 6, 8], model.Values(gemm.Input(1)));
        Assert.Equal([-12.0, -12], model.Values(gemm.Input(2)));
        Assert.Equal(1f, gemm.GetFloat("beta", 0));
        Assert.Equal(2f, gemm.GetFloat("alpha", 0));
    }

    [Fact]
    public void Adds_C_When_Gemm_Has_None()
    {
        var model = BnThenGemm(withC: false).Build();
        FoldPass.Run(model);

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal([-5.5, -10.5], model.Values(gemm.Input(2)));
    }

    [Fact]
    public void Drops_Old_C_When_Beta_Is_Zero()
    {
        var model = BnThenGemm(true, true, ("beta", 0f)).Build();
        FoldPass.Run(model);

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal([-5.5, -10.5], model.Values(gemm.Input(2)));
        Assert.Equal(1f, gemm.GetFloat("beta", 0));
    }

    [Fact]
    public void Keeps_Rows_Of_An_M_By_N_C()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2)
            .Output("y", OnnxDataType.Float, 2, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("C", [2, 2], 10f, 20f, 30f, 40f)
            .Bn("bn", "x", "h")
            .Node("Gemm", ["h", "B", "C"], ["y"], "fc", ("transB", 1L))
            .Build();
        FoldPass.Run(model);

        var c = model.Graph.Initializer(model.Single("Gemm").Input(2))!;
        Assert.Equal([2L, 2], c.Dims);
        Assert.Equal([4.5, 9.5, 24.5, 29.5], c.ToDoubleArray());
    }

    [Fact]
    public void Folds_Into_Every_Consumer_When_All_Are_Foldable()
    {
        var model = BnThenGemm()
            .Initializer("B2", [1, 2], 1f, 1f)
            .Node("Gemm", ["h", "B2"], ["z"], "fc2", ("transB", 1L))
            .Output("z", OnnxDataType.Float, 1, 1)
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["Gemm", "Gemm"], model.OpTypes());
        Assert.All(model.Graph.Nodes, n => Assert.Equal("x", n.Input(0)));
        var fc2 = model.Graph.Nodes.Single(n => n.Name == "fc2");
        Assert.Equal([1.0, 2], model.Values(fc2.Input(1)));
        Assert.Equal([-2.5], model.Values(fc2.Input(2)));
        Assert.Equal("folded forward into fc, fc2", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Keeps_Bn_When_One_Of_Several_Consumers_Is_Not_Foldable()
    {
        var model = BnThenGemm()
            .Node("Relu", ["h"], ["z"], "relu")
            .Output("z", OnnxDataType.Float, 1, 2)
            .Build();
        var report = FoldPass.Run(model);

        var fate = Assert.Single(report.Fates);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.Contains("1 of 2 consumers not foldable: relu: Relu is not a linear op", fate.Detail);
        Assert.Equal([1.0, 2, 3, 4], model.Values(model.Single("Gemm").Input(1)));
    }

    [Fact]
    public void Does_Not_Mutate_Shared_Weight()
    {
        var model = BnThenGemm()
            .Input("x2", OnnxDataType.Float, 1, 2)
            .Node("Gemm", ["x2", "B", "C"], ["y2"], "other", ("transB", 1L))
            .Output("y2", OnnxDataType.Float, 1, 2)
            .Build();
        FoldPass.Run(model);

        var other = model.Graph.Nodes.Single(n => n.Name == "other");
        Assert.Equal(["x2", "B", "C"], other.Inputs);
        Assert.Equal([1.0, 2, 3, 4], model.Values("B"));
        Assert.Equal([10.0, 20], model.Values("C"));
        Assert.NotEqual("B", model.Graph.Nodes.Single(n => n.Name == "fc").Input(1));
    }

    [Fact]
    public void Keeps_Bn_Whose_Output_Is_A_Graph_Output()
    {
        var model = BnThenGemm().Output("h", OnnxDataType.Float, 1, 2).Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, report.Fates[0].Outcome);
        Assert.Contains("BN→Gemm: output is a graph output", report.Fates[0].Detail);
        Assert.Contains(model.Graph.Nodes, n => n.Is("BatchNormalization"));
    }

    [Fact]
    public void Keeps_Bn_When_Gemm_Weight_Is_Not_Constant()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Input("B", OnnxDataType.Float, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Bn("bn", "x", "h")
            .Node("Gemm", ["h", "B"], ["y"], "fc")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, report.Fates[0].Outcome);
        Assert.Contains("BN→Gemm: Gemm B is not a constant", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_When_Gemm_Transposes_A()
    {
        var model = BnThenGemm(true, true, ("transA", 1L)).Build();
        var report = FoldPass.Run(model);

        Assert.Contains("transA=1", report.Fates[0].Detail);
        Assert.Equal(2, model.Graph.Nodes.Count);
    }
}
