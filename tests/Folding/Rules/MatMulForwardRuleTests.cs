using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class MatMulForwardRuleTests
{
    // x:[1,2] → BN (s = [1,2], t = [0.5,-3]) → h → MatMul(B = [[1,2],[3,4]]) → m
    private static GraphBuilder BnThenMatMul(string output = "y") => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 2)
        .Output("y", OnnxDataType.Float, 1, 2)
        .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
        .Bn("bn", "x", "h")
        .Node("MatMul", ["h", "B"], [output], "mm");

    [Fact]
    public void Folds_Into_MatMul_Adding_A_Bias_Add_That_Keeps_The_Output_Name()
    {
        var model = BnThenMatMul().Build();
        var report = FoldPass.Run(model);

        // B' = diag(s)·B = [[1,2],[6,8]]; t·B = [0.5·1 − 3·3, 0.5·2 − 3·4] = [-8.5, -11]
        Assert.Equal(["MatMul", "Add"], model.OpTypes());
        var matMul = model.Single("MatMul");
        var add = model.Single("Add");
        Assert.Equal("x", matMul.Input(0));
        Assert.Equal([1.0, 2, 6, 8], model.Values(matMul.Input(1)));
        Assert.Equal(matMul.Output(0), add.Input(0));
        Assert.Equal([-8.5, -11], model.Values(add.Input(1)));
        Assert.Equal("y", add.Output(0));
        Assert.True(model.IsGone("h"));
        Assert.Equal("folded forward into mm", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Folds_Shift_Into_Existing_Bias_Add()
    {
        var model = BnThenMatMul("m")
            .Initializer("bias", [2], 10f, 20f)
            .Node("Add", ["bias", "m"], ["y"], "bias_add")
            .Build();
        FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], model.OpTypes());
        var add = model.Single("Add");
        Assert.Equal("bias_add", add.Name);
        Assert.Equal([1.5, 9], model.Values(add.Input(0)));
        Assert.Equal("m", add.Input(1));
        Assert.NotEqual("bias", add.Input(0));
    }

    [Fact]
    public void Folds_Through_A_Transposed_Weight_And_Drops_The_Transpose()
    {
        // PyTorch's bias-free nn.Linear: MatMul(h, Transpose(W)) with W = Bᵀ
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Initializer("W", [2, 2], 1f, 3f, 2f, 4f)
            .Bn("bn", "x", "h")
            .Node("Transpose", ["W"], ["Wt"], "transpose", ("perm", new long[] { 1, 0 }))
            .Node("MatMul", ["h", "Wt"], ["y"], "mm")
            .Build();
        FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], model.OpTypes());
        var matMul = model.Single("MatMul");
        Assert.Equal([2L, 2], model.Graph.Initializer(matMul.Input(1))!.Dims);
        Assert.Equal([1.0, 2, 6, 8], model.Values(matMul.Input(1)));
        Assert.Equal([-8.5, -11], model.Values(model.Single("Add").Input(1)));
        Assert.Null(model.Graph.Initializer("W"));
    }

    [Fact]
    public void Folds_Keras_Mul_Add_On_The_Last_Axis_Of_A_Rank_3_Input()
    {
        // tf2onnx's Keras BN on [N,T,C]: Mul([C]) then Add([C]), right before a Dense MatMul + bias
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 3, 2)
            .Output("y", OnnxDataType.Float, 1, 3, 2)
            .Initializer("scale", [2], 1f, 2f)
            .Initializer("shift", [2], 0.5f, -3f)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("bias", [2], 10f, 20f)
            .Node("Mul", ["x", "scale"], ["a"], "bn/mul")
            .Node("Add", ["a", "shift"], ["h"], "bn/add")
            .Node("MatMul", ["h", "B"], ["m"], "dense/MatMul")
            .Node("Add", ["m", "bias"], ["y"], "dense/BiasAdd")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], model.OpTypes());
        Assert.Equal([1.0, 2, 6, 8], model.Values(model.Single("MatMul").Input(1)));
        Assert.Equal([1.5, 9], model.Values(model.Single("Add").Input(1)));
        Assert.Equal("folded forward into dense/MatMul", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Keeps_Bn_Whose_Channel_Axis_Is_Not_The_Last_Axis()
    {
        // BN on [N,C,L] normalizes axis 1, but MatMul contracts axis 2
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2)
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Bn("bn", "x", "h")
            .Node("MatMul", ["h", "B"], ["y"], "mm")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, report.Fates[0].Outcome);
        Assert.Contains("BN→MatMul: scales axis 1, not the last axis of MatMul's input (rank 3)", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_When_It_Is_MatMuls_Right_Operand()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 2)
            .Output("y", OnnxDataType.Float, 2, 2)
            .Initializer("A", [2, 2], 1f, 2f, 3f, 4f)
            .Bn("bn", "x", "h")
            .Node("MatMul", ["A", "h"], ["y"], "mm")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Contains("reads the output as B, not as A", report.Fates[0].Detail);
    }
}
