using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.BackwardFixtures;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class GemmBackwardRuleTests
{
    // x:[2,2] → Gemm(B:[[1,2],[3,4]], C?) → BN(s = [2, 1.5], t = [-1.5, -4]) → y
    private static GraphBuilder GemmThenBn(TensorData? c = null, long transB = 0, float alpha = 1f, float beta = 1f, long opset = 13) =>
        GemmThenBnWith(new GraphBuilder(opset).Initializer("B", [2, 2], 1f, 2f, 3f, 4f), c, transB, alpha, beta);

    private static GraphBuilder GemmThenBnWith(GraphBuilder builder, TensorData? c, long transB = 0, float alpha = 1f, float beta = 1f)
    {
        builder.Input("x", OnnxDataType.Float, 2, 2).Output("y", OnnxDataType.Float, 2, 2);
        if (c is not null) builder.Initializer(c);
        return builder
            .Node("Gemm", c is null ? ["x", "B"] : ["x", "B", c.Name], ["g"], "gemm", ("transB", transB), ("alpha", alpha), ("beta", beta))
            .TwoChannelBn("g", "y");
    }

    private static TensorData C(long[] dims, params float[] values) => TensorData.Create("C", dims, values.AsSpan());

    [Fact]
    public void Folds_Gemm_TransB0_Scaling_Columns_Of_B_And_Writes_Beta_Scaled_C()
    {
        var model = GemmThenBn(C([2], 10f, 20f), transB: 0, beta: 0.5f).Build();
        var report = FoldPass.Run(model);

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal("y", gemm.Output(0));
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "Gemm", 1));
        // C' = s·beta·C + t = [2·0.5·10 − 1.5, 1.5·0.5·20 − 4]
        Assert.Equal([8.5, 11], InputValues(model, "Gemm", 2));
        Assert.False(gemm.HasAttribute("beta"));
        Assert.Equal("folded backward into gemm", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Folds_Gemm_TransB1_Scaling_Rows_Of_B_And_Keeps_Alpha()
    {
        var model = GemmThenBn(C([2], 10f, 20f), transB: 1, alpha: 0.5f).Build();
        FoldPass.Run(model);

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal([2.0, 4, 4.5, 6], InputValues(model, "Gemm", 1));
        Assert.Equal([18.5, 26], InputValues(model, "Gemm", 2));
        Assert.Equal(0.5f, gemm.GetFloat("alpha", 1f));
        Assert.Equal(1L, gemm.GetInt("transB", 0));
    }

    [Fact]
    public void Folds_Gemm_Without_C_Adding_Shift_As_C()
    {
        var model = GemmThenBn(beta: 0.7f).Build();
        FoldPass.Run(model);

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal(3, gemm.Inputs.Count);
        Assert.Equal([-1.5, -4], InputValues(model, "Gemm", 2));
        Assert.Equal(1f, gemm.GetFloat("beta", 1f));
    }

    [Fact]
    public void Folds_Scalar_C_Into_A_Per_Feature_Vector()
    {
        var model = GemmThenBn(C([], 4f)).Build();
        FoldPass.Run(model);

        var c = Constant(model, model.Graph.Nodes[0].Input(2));
        Assert.Equal([2L], c.Dims);
        Assert.Equal([6.5, 2], c.ToDoubleArray());
    }

    [Fact]
    public void Folds_Row_C_Keeping_Its_Rank()
    {
        var model = GemmThenBn(C([1, 2], 10f, 20f)).Build();
        FoldPass.Run(model);

        var c = Constant(model, model.Graph.Nodes[0].Input(2));
        Assert.Equal([1L, 2], c.Dims);
        Assert.Equal([18.5, 26], c.ToDoubleArray());
    }

    [Fact]
    public void Folds_Column_C_Growing_It_To_M_By_N()
    {
        var model = GemmThenBn(C([2, 1], 1f, 2f), beta: 2f).Build();
        FoldPass.Run(model);

        // C'[m,n] = s[n]·2·C[m] + t[n]
        var c = Constant(model, model.Graph.Nodes[0].Input(2));
        Assert.Equal([2L, 2], c.Dims);
        Assert.Equal([2.5, -1, 6.5, 2], c.ToDoubleArray());
    }

    [Fact]
    public void Folds_Full_C_Per_Column()
    {
        var model = GemmThenBn(C([2, 2], 1f, 2f, 3f, 4f)).Build();
        FoldPass.Run(model);

        Assert.Equal([0.5, -1, 4.5, 2], InputValues(model, "Gemm", 2));
    }

    [Fact]
    public void Folds_Gemm_With_TransA_Because_Only_Output_Columns_Are_Scaled()
    {
        var builder = new GraphBuilder().Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Input("x", OnnxDataType.Float, 2, 2).Output("y", OnnxDataType.Float, 2, 2)
            .Node("Gemm", ["x", "B"], ["g"], "gemm", ("transA", 1L))
            .TwoChannelBn("g", "y");
        var model = builder.Build();
        FoldPass.Run(model);

        Assert.Equal(1L, Assert.Single(model.Graph.Nodes).GetInt("transA", 0));
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "Gemm", 1));
    }

    [Fact]
    public void Sets_Broadcast_For_Gemm_Before_Opset_7()
    {
        var model = GemmThenBn(C([2], 10f, 20f), opset: 6).Build();
        model.Graph.Nodes[1].SetInt("is_test", 1);
        FoldPass.Run(model);

        Assert.Equal(1L, Assert.Single(model.Graph.Nodes).GetInt("broadcast", 0));
    }

    [Fact]
    public void Writes_Float16_Weights_Back_As_Float16()
    {
        var builder = new GraphBuilder(opset: 15)
            .Initializer(TensorData.Create("B", [2, 2], new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 }.AsSpan()));
        var model = GemmThenBnWith(builder, TensorData.Create("C", [2], new Half[] { (Half)10, (Half)20 }.AsSpan())).Build();
        FoldPass.Run(model);

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal(OnnxDataType.Float16, Constant(model, gemm.Input(1)).ElementType);
        Assert.Equal(OnnxDataType.Float16, Constant(model, gemm.Input(2)).ElementType);
        Assert.Equal([2.0, 3, 6, 6], Constant(model, gemm.Input(1)).ToDoubleArray());
    }

    [Fact]
    public void Writes_Double_Weights_Back_As_Double()
    {
        var builder = new GraphBuilder().Initializer(TensorData.Create("B", [2, 2], new double[] { 1, 2, 3, 4 }.AsSpan()));
        var model = GemmThenBnWith(builder, TensorData.Create("C", [2], new double[] { 0.1, 0.2 }.AsSpan())).Build();
        FoldPass.Run(model);

        var c = Constant(model, model.Graph.Nodes[0].Input(2));
        Assert.Equal(OnnxDataType.Double, c.ElementType);
        // Computed in float64 and stored as float64: no float32 rounding of 2·0.1 − 1.5.
        Assert.Equal([2 * 0.1 - 1.5, 1.5 * 0.2 - 4], c.ToDoubleArray());
    }

    [Fact]
    public void Does_Not_Mutate_A_Weight_Shared_With_Another_Gemm()
    {
        var model = GemmThenBn(C([2], 10f, 20f))
            .Output("z", OnnxDataType.Float, 2, 2)
            .Node("Gemm", ["x", "B"], ["z"], "other")
            .Build();
        FoldPass.Run(model);

        var other = model.Graph.Nodes.Single(n => n.Name == "other");
        Assert.Equal("B", other.Input(1));
        Assert.Equal([1.0, 2, 3, 4], Constant(model, "B").ToDoubleArray());
        Assert.NotEqual("B", model.Graph.Nodes.Single(n => n.Name == "gemm").Input(1));
    }

    [Fact]
    public void Keeps_Bn_When_Gemm_Output_Is_A_Graph_Output()
    {
        var model = GemmThenBn().Output("g", OnnxDataType.Float, 2, 2).Build();
        AssertKept(FoldPass.Run(model), "Gemm←BN: Gemm output is also a graph output");
        Assert.Equal(2, model.Graph.Nodes.Count);
    }

    [Fact]
    public void Keeps_Bn_When_Gemm_Output_Has_Two_Consumers()
    {
        var model = GemmThenBn().Output("r", OnnxDataType.Float, 2, 2).Node("Relu", ["g"], ["r"]).Build();
        AssertKept(FoldPass.Run(model), "Gemm←BN: Gemm output has 2 consumers");
    }

    [Fact]
    public void Keeps_Bn_When_Gemm_Weight_Is_A_Graph_Input()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2).Input("B", OnnxDataType.Float, 2, 2)
            .Output("y", OnnxDataType.Float, 2, 2)
            .Node("Gemm", ["x", "B"], ["g"], "gemm")
            .TwoChannelBn("g", "y")
            .Build();
        AssertKept(FoldPass.Run(model), "Gemm←BN: Gemm weight B is not a constant");
    }

    [Fact]
    public void Keeps_Bn_When_Gemm_C_Is_Not_A_Constant()
    {
        var model = GemmThenBn().Input("c", OnnxDataType.Float, 2).Build();
        var graph = model.Graph;
        graph.SetNodeInput(graph.Nodes[0], 2, "c");
        AssertKept(FoldPass.Run(model), "Gemm←BN: Gemm C is not a constant");
    }

    [Fact]
    public void Keeps_Bn_When_Channel_Count_Differs_From_Gemm_Features()
    {
        var model = new GraphBuilder().Initializer("B", [2, 3], 1f, 2f, 3f, 4f, 5f, 6f)
            .Input("x", OnnxDataType.Float, 2, 2).Output("y", OnnxDataType.Float, 2, 3)
            .Node("Gemm", ["x", "B"], ["g"], "gemm")
            .TwoChannelBn("g", "y")
            .Build();
        AssertKept(FoldPass.Run(model), "Gemm←BN: 2 channels, but Gemm has 3 output features");
    }

    [Fact]
    public void Keeps_Bn_In_Training_Mode()
    {
        var model = GemmThenBnWith(new GraphBuilder(opset: 14).Initializer("B", [2, 2], 1f, 2f, 3f, 4f), null)
            .Build();
        model.Graph.Nodes[1].SetInt("training_mode", 1);
        AssertKept(FoldPass.Run(model), "training mode");
        Assert.Equal(["Gemm", "BatchNormalization"], OpTypes(model));
    }

    [Theory]
    [InlineData(0L, new long[] { 2, 2 })]
    [InlineData(1L, new long[] { 2, 1 })]
    [InlineData(1L, new long[] { })]
    public void Folded_Gemm_Computes_What_Gemm_And_Bn_Did(long transB, long[] cDims)
    {
        float[] values = new[] { 1f, -2f, 3f, 0.5f }[..RefTensor.ElementCount(cDims)];
        AssertFoldKeepsOutputs(GemmThenBn(C(cDims, values), transB, alpha: 0.5f, beta: 0.7f), 2, 2);
    }
}
