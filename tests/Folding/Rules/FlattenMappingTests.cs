using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class FlattenMappingTests
{
    // x:[1,2,2,1] → BN (s = [1,2], t = [0.5,-3]) → h → Flatten | Reshape → f:[1,4] → Gemm(B:[1,4], transB) → y
    // Channel c covers features [2c, 2c+2) of f, so s and t each repeat twice along Gemm's K axis.
    private static GraphBuilder Through(string op, params (string, object)[] attributes) => Through(op, [1, 2, 2, 1], attributes);

    private static GraphBuilder Through(string op, object[] inputDims, params (string, object)[] attributes)
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, inputDims)
            .Output("y", OnnxDataType.Float, 1, 1)
            .Initializer("B", [1, 4], 1f, 2f, 3f, 4f)
            .Initializer("C", [1], 100f)
            .Bn("bn", "x", "h");
        builder = op == "Flatten"
            ? builder.Node("Flatten", ["h"], ["f"], "flatten", attributes)
            : builder.Node("Reshape", ["h", "shape"], ["f"], "reshape", attributes);
        return builder.Node("Gemm", ["f", "B", "C"], ["y"], "fc", ("transB", 1L));
    }

    private static GraphBuilder Reshape(object[] inputDims, params long[] shape) =>
        Through("Reshape", inputDims).Initializer(TensorData.Create("shape", [shape.Length], shape.AsSpan()));

    [Fact]
    public void Folds_Through_Flatten_Scaling_Each_Channel_Block()
    {
        var model = Through("Flatten").Build();
        var report = FoldPass.Run(model);

        // B' = [1·1, 2·1, 3·2, 4·2]; C' = 100 + 0.5·(1+2) − 3·(3+4) = 80.5
        Assert.Equal(["Flatten", "Gemm"], model.OpTypes());
        Assert.Equal("x", model.Single("Flatten").Input(0));
        var gemm = model.Single("Gemm");
        Assert.Equal("f", gemm.Input(0));
        Assert.Equal([1.0, 2, 6, 8], model.Values(gemm.Input(1)));
        Assert.Equal([80.5], model.Values(gemm.Input(2)));
        Assert.True(model.IsGone("h"));
        Assert.Equal("folded forward into fc", Assert.Single(report.Fates).Description);
    }

    [Fact]
    public void Folds_Through_Reshape_To_Batch_And_Minus_One()
    {
        var model = Reshape(["N", 2, "H", 1], 0, -1).Build();
        FoldPass.Run(model);

        Assert.Equal(["Reshape", "Gemm"], model.OpTypes());
        Assert.Equal("x", model.Single("Reshape").Input(0));
        Assert.Equal([1.0, 2, 6, 8], model.Values(model.Single("Gemm").Input(1)));
    }

    [Fact]
    public void Folds_Through_Reshape_To_Fixed_Batch_When_The_Sample_Size_Is_Known()
    {
        var model = Reshape([1, 2, 2, 1], 1, 4).Build();

        Assert.Equal(BnOutcome.FoldedForward, FoldPass.Run(model).Fates[0].Outcome);
    }

    [Fact]
    public void Keeps_Bn_Before_Reshape_To_Minus_One_When_The_Sample_Size_Is_Unknown()
    {
        var model = Reshape(["N", 2, "H", 1], -1, 4).Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, report.Fates[0].Outcome);
        Assert.Contains("reshape reshapes to [-1,4] and the per-sample size of its input is unknown", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_Before_Flatten_On_Axis_Two()
    {
        var model = Through("Flatten", ("axis", 2L)).Build();
        var report = FoldPass.Run(model);

        Assert.Contains("flatten has axis=2, which does not keep the batch axis alone", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_When_Flatten_Output_Feeds_Another_Node()
    {
        var model = Through("Flatten")
            .Node("Relu", ["f"], ["r"], "relu")
            .Output("r", OnnxDataType.Float, 1, 4)
            .Build();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, report.Fates[0].Outcome);
        Assert.Contains("flatten output is a graph output or feeds 2 nodes", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_When_Flatten_Feeds_A_Non_Linear_Op()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 1)
            .Output("y", OnnxDataType.Float, 1, 4)
            .Bn("bn", "x", "h")
            .Node("Flatten", ["h"], ["f"], "flatten")
            .Node("Softmax", ["f"], ["y"], "softmax")
            .Build();
        var report = FoldPass.Run(model);

        Assert.Contains("flatten feeds Softmax softmax, not Gemm or MatMul", report.Fates[0].Detail);
    }

    [Fact]
    public void Keeps_Bn_When_Flattened_Features_Do_Not_Match_The_Static_Sample_Size()
    {
        // the declared input says 2·2·1 = 4 features per sample, but the Gemm reads 6
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 1)
            .Output("y", OnnxDataType.Float, 1, 1)
            .Initializer("B", [1, 6], 1f, 2f, 3f, 4f, 5f, 6f)
            .Bn("bn", "x", "h")
            .Node("Flatten", ["h"], ["f"], "flatten")
            .Node("Gemm", ["f", "B"], ["y"], "fc", ("transB", 1L))
            .Build();
        var report = FoldPass.Run(model);

        Assert.Contains("flatten gives 4 features per sample, but fc reads 6", report.Fates[0].Detail);
    }
}
