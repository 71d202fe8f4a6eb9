using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.BackwardFixtures;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class MatMulBackwardRuleTests
{
    // x:[3,2] → MatMul(B:[[1,2],[3,4]]) → BN(s = [2, 1.5], t = [-1.5, -4]) → y
    private static GraphBuilder MatMulThenBn() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 3, 2)
        .Output("y", OnnxDataType.Float, 3, 2)
        .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
        .Node("MatMul", ["x", "B"], ["m"], "matmul")
        .TwoChannelBn("m", "y");

    // x:[rank-3 or rank-2] → MatMul(B) → Add(c, m) or Add(m, c) → BN → y
    private static GraphBuilder MatMulAddThenBn(bool biasFirst, long[] biasDims) => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 3, 2)
        .Output("y", OnnxDataType.Float, 3, 2)
        .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
        .Initializer("c", biasDims, 10f, 20f)
        .Node("MatMul", ["x", "B"], ["m"], "matmul")
        .Node("Add", biasFirst ? ["c", "m"] : ["m", "c"], ["a"], "add")
        .TwoChannelBn("a", "y");

    [Fact]
    public void Folds_MatMul_Into_MatMul_Plus_Add_Writing_Bn_Output()
    {
        var model = MatMulThenBn().Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], OpTypes(model));
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "MatMul", 1));
        var add = model.Graph.Nodes[1];
        Assert.Equal("y", add.Output(0));
        Assert.Equal("m", add.Input(0));
        Assert.Equal([-1.5, -4], Constant(model, add.Input(1)).ToDoubleArray());
        Assert.Equal("folded backward into matmul", Assert.Single(report.Fates).Description);
    }

    [Theory]
    [InlineData(false, new long[] { 2 })]
    [InlineData(true, new long[] { 2 })]
    [InlineData(true, new long[] { 1, 2 })]
    public void Folds_MatMul_Add_Bias_In_Either_Operand_Order(bool biasFirst, long[] biasDims)
    {
        var model = MatMulAddThenBn(biasFirst, biasDims).Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], OpTypes(model));
        var add = model.Graph.Nodes[1];
        Assert.Equal("y", add.Output(0));
        var bias = Constant(model, add.Input(biasFirst ? 0 : 1));
        Assert.Equal(biasDims, bias.Dims);
        Assert.Equal([18.5, 26], bias.ToDoubleArray());
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "MatMul", 1));
        Assert.Equal("folded backward into matmul + add", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Folds_Last_Axis_Affine_After_Rank3_MatMul_Add()
    {
        // tf2onnx's Keras pattern on [N, L, C]: MatMul → Add → Mul([C]) → Add([C]); Mul/Add scale the last axis.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 3, 2)
            .Output("y", OnnxDataType.Float, 1, 3, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("c", [2], 10f, 20f)
            .Initializer("mul", [2], 2f, 1.5f)
            .Initializer("shift", [2], -1.5f, -4f)
            .Node("MatMul", ["x", "B"], ["m"], "matmul")
            .Node("Add", ["m", "c"], ["a"], "bias_add")
            .Node("Mul", ["a", "mul"], ["p"], "bn/mul")
            .Node("Add", ["p", "shift"], ["y"], "bn/add")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], OpTypes(model));
        Assert.Equal([18.5, 26], InputValues(model, "Add", 1));
        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
    }

    [Fact]
    public void Scale_Only_Affine_Needs_No_Add()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 3, 2)
            .Output("y", OnnxDataType.Float, 3, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("mul", [2], 2f, 1.5f)
            .Node("MatMul", ["x", "B"], ["m"], "matmul")
            .Node("Mul", ["m", "mul"], ["y"], "scale")
            .Build();
        FoldPass.Run(model);

        var matMul = Assert.Single(model.Graph.Nodes);
        Assert.Equal("y", matMul.Output(0));
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "MatMul", 1));
    }

    [Fact]
    public void Keeps_Bn_On_Axis_1_Of_A_Rank3_MatMul_Output()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("MatMul", ["x", "B"], ["m"], "matmul")
            .TwoChannelBn("m", "y")
            .Build();
        AssertKept(FoldPass.Run(model), "MatMul←BN: BatchNormalization normalizes axis 1 of the rank-3 MatMul output, not its feature axis 2");
        Assert.Equal(["MatMul", "BatchNormalization"], OpTypes(model));
    }

    [Fact]
    public void Keeps_Bn_When_MatMul_Output_Rank_Is_Unknown()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 3, 2)
            .Output("y", OnnxDataType.Float, 3, 2)
            .Initializer(TensorData.Create("reps", [2], new long[] { 1, 1 }.AsSpan()))
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("Tile", ["x", "reps"], ["x2"], "tile")
            .Node("MatMul", ["x2", "B"], ["m"], "matmul")
            .TwoChannelBn("m", "y")
            .Build();
        AssertKept(FoldPass.Run(model), "MatMul←BN: MatMul output rank is unknown");
    }

    [Fact]
    public void Folds_Through_PyTorch_Transposed_Weight_And_Drops_The_Transpose()
    {
        // PyTorch's bias-free Linear: MatMul(x, Transpose(W)). B = Wᵀ = [[1,2],[3,4]]; s = [2, 1.5], t = [-1.5, -4]
        // → B' = B·diag(s) = [[2,3],[6,6]] and an Add(t).
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 3, 2)
            .Output("y", OnnxDataType.Float, 3, 2)
            .Initializer("W", [2, 2], 1f, 3f, 2f, 4f)
            .Node("Transpose", ["W"], ["W_T"], "transpose")
            .Node("MatMul", ["x", "W_T"], ["m"], "matmul")
            .TwoChannelBn("m", "y")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType == "Transpose");
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "MatMul", 1));
        Assert.Equal([-1.5, -4], InputValues(model, "Add", 1));
    }

    [Fact]
    public void Keeps_Bn_When_MatMul_Output_Is_A_Graph_Output()
    {
        var model = MatMulThenBn().Output("m", OnnxDataType.Float, 3, 2).Build();
        AssertKept(FoldPass.Run(model), "MatMul←BN: MatMul output is also a graph output");
    }

    [Fact]
    public void Keeps_Bn_When_MatMul_Before_Add_Has_Two_Consumers()
    {
        var model = MatMulAddThenBn(false, [2]).Output("r", OnnxDataType.Float, 3, 2).Node("Relu", ["m"], ["r"]).Build();
        AssertKept(FoldPass.Run(model), "MatMul←BN: MatMul output also feeds another node or is a graph output");
    }

    [Fact]
    public void Keeps_Bn_When_Add_Output_Has_Two_Consumers()
    {
        var model = MatMulAddThenBn(false, [2]).Output("r", OnnxDataType.Float, 3, 2).Node("Relu", ["a"], ["r"]).Build();
        AssertKept(FoldPass.Run(model), "MatMul←BN: Add output has 2 consumers");
    }

    [Fact]
    public void Keeps_Bn_When_Add_Bias_Varies_Along_Rows()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2)
            .Output("y", OnnxDataType.Float, 2, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("c", [2, 2], 1f, 2f, 3f, 4f)
            .Node("MatMul", ["x", "B"], ["m"], "matmul")
            .Node("Add", ["m", "c"], ["a"], "add")
            .TwoChannelBn("a", "y")
            .Build();
        AssertKept(FoldPass.Run(model), "MatMul←BN: Add bias [2,2] varies along more than the feature axis");
    }

    [Fact]
    public void Does_Not_Mutate_A_Weight_Shared_With_Another_MatMul()
    {
        var model = MatMulAddThenBn(true, [2])
            .Output("z", OnnxDataType.Float, 3, 2)
            .Node("MatMul", ["x", "B"], ["z"], "other")
            .Build();
        FoldPass.Run(model);

        Assert.Equal("B", model.Graph.Nodes.Single(n => n.Name == "other").Input(1));
        Assert.Equal([1.0, 2, 3, 4], Constant(model, "B").ToDoubleArray());
        Assert.NotEqual("B", model.Graph.Nodes.Single(n => n.Name == "matmul").Input(1));
    }

    [Fact]
    public void Writes_Float16_And_Double_Weights_In_Their_Own_Type()
    {
        foreach (var type in new[] { OnnxDataType.Float16, OnnxDataType.Double })
        {
            double[] b = [1, 2, 3, 4];
            var weight = TensorData.FromDoubles("B", type, [2, 2], b);
            var model = new GraphBuilder(opset: 15)
                .Input("x", type, 3, 2).Output("y", type, 3, 2)
                .Initializer(weight)
                .Node("MatMul", ["x", "B"], ["m"], "matmul")
                .TwoChannelBn("m", "y")
                .Build();
            FoldPass.Run(model);

            Assert.Equal(type, Constant(model, model.Graph.Nodes[0].Input(1)).ElementType);
            Assert.Equal(type, Constant(model, model.Graph.Nodes[1].Input(1)).ElementType);
        }
    }

    [Fact]
    public void Folded_MatMul_Computes_What_MatMul_And_Bn_Did()
    {
        AssertFoldKeepsOutputs(MatMulThenBn(), 3, 2);
        AssertFoldKeepsOutputs(MatMulAddThenBn(biasFirst: true, [1, 2]), 3, 2);
    }
}
