using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>The oracle itself, checked against numbers worked by hand from the ONNX operator spec.</summary>
public sealed class ReferenceEvaluatorTests
{
    private const OnnxDataType F = OnnxDataType.Float;

    private static double[] Run(GraphBuilder builder, RefTensor x) =>
        ReferenceEvaluator.EvaluateSingle(builder.Output("y", F).Build(), x).Data;

    private static GraphBuilder OneNode(string op, long[] wDims, float[] w, float[]? bias, params (string, object)[] attributes)
    {
        var b = new GraphBuilder().Input("x", F).Initializer("W", wDims, w);
        if (bias is not null) b.Initializer("B", [bias.Length], bias);
        return b.Node(op, bias is null ? ["x", "W"] : ["x", "W", "B"], ["y"], "n", attributes);
    }

    [Fact]
    public void Conv_2d_With_Pads_Stride_And_Bias_Sees_Zero_Padding()
    {
        var x = RefTensor.Of([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var y = Run(OneNode("Conv", [1, 1, 2, 2], [1, 1, 1, 1], [0.5f], ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 })), x);
        Assert.Equal([1.5, 5.5, 11.5, 28.5], y);
    }

    [Fact]
    public void Conv_1d_Dilation_Skips_Taps()
    {
        var y = Run(OneNode("Conv", [1, 1, 2], [1, 10], null, ("dilations", new long[] { 2 })), RefTensor.Of([1, 1, 5], [1, 2, 3, 4, 5]));
        Assert.Equal([31.0, 42, 53], y);
    }

    [Fact]
    public void Conv_Groups_Map_Output_Channels_To_Their_Input_Group()
    {
        var y = Run(OneNode("Conv", [4, 1, 1], [1, 2, 3, 4], null, ("group", 2L)), RefTensor.Of([1, 2, 2], [1, 2, 3, 4]));
        Assert.Equal([1.0, 2, 2, 4, 9, 12, 12, 16], y);
    }

    [Theory]
    [InlineData("SAME_UPPER", new[] { 3.0, 5, 7, 4 })]
    [InlineData("SAME_LOWER", new[] { 1.0, 3, 5, 7 })]
    [InlineData("VALID", new[] { 3.0, 5, 7 })]
    public void Conv_Auto_Pad_Puts_The_Odd_Pad_Where_The_Spec_Says(string autoPad, double[] expected)
    {
        var y = Run(OneNode("Conv", [1, 1, 2], [1, 1], null, ("auto_pad", autoPad)), RefTensor.Of([1, 1, 4], [1, 2, 3, 4]));
        Assert.Equal(expected, y);
    }

    [Fact]
    public void Conv_3d_Sums_Over_All_Three_Spatial_Axes()
    {
        var x = RefTensor.Of([1, 1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
        var y = Run(OneNode("Conv", [1, 1, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1], null), x);
        Assert.Equal([36.0], y);
    }

    [Theory]
    [InlineData(new long[] { 0, 0 }, 0L, new[] { 1.0, 1, 3, 2, 2 })]
    [InlineData(new long[] { 1, 1 }, 0L, new[] { 1.0, 3, 2 })]
    [InlineData(new long[] { 0, 0 }, 1L, new[] { 1.0, 1, 3, 2, 2, 0 })]
    public void ConvTranspose_Scatters_With_Stride_Pads_And_Output_Padding(long[] pads, long outputPadding, double[] expected)
    {
        var y = Run(OneNode("ConvTranspose", [1, 1, 3], [1, 1, 1], null,
            ("strides", new long[] { 2 }), ("pads", pads), ("output_padding", new[] { outputPadding })), RefTensor.Of([1, 1, 2], [1, 2]));
        Assert.Equal(expected, y);
    }

    [Fact]
    public void ConvTranspose_Weight_Is_Input_Channel_Major_Per_Group()
    {
        // W [C_in=2, C_out/group=2, 1], group 2: input channel 0 feeds outputs 0,1; channel 1 feeds outputs 2,3.
        var y = Run(OneNode("ConvTranspose", [2, 2, 1], [3, 5, 7, 11], [1, 0, 0, 0], ("group", 2L)), RefTensor.Of([1, 2, 1], [1, 2]));
        Assert.Equal([4.0, 5, 14, 22], y);
    }

    [Fact]
    public void Gemm_Applies_TransA_TransB_Alpha_And_Beta_With_Broadcast_C()
    {
        var b = new GraphBuilder().Input("x", F)
            .Initializer("B", [2, 2], 1, 2, 3, 4).Initializer("C", [2], 1, 2)
            .Node("Gemm", ["x", "B", "C"], ["y"], "g", ("transA", 1L), ("transB", 1L), ("alpha", 2f), ("beta", 0.5f));
        Assert.Equal([10.5, 23], Run(b, RefTensor.Of([2, 1], [1, 2])));
    }

    [Fact]
    public void MatMul_Broadcasts_Batch_Dims_And_Drops_1d_Unit_Dims()
    {
        var batched = new GraphBuilder().Input("x", F).Initializer("B", [2, 1], 1, 1).Node("MatMul", ["x", "B"], ["y"]);
        Assert.Equal([3.0, 7], Run(batched, RefTensor.Of([2, 1, 2], [1, 2, 3, 4])));

        var vector = new GraphBuilder().Input("x", F).Initializer("B", [2, 3], 1, 0, 1, 0, 1, 1).Node("MatMul", ["x", "B"], ["y"]).Output("y", F);
        var result = ReferenceEvaluator.EvaluateSingle(vector.Build(), RefTensor.Of([2], [1, 2]));
        Assert.Equal([3L], result.Shape);
        Assert.Equal([1.0, 2, 3], result.Data);
    }

    [Fact]
    public void Add_Broadcasts_Both_Operands_Numpy_Style()
    {
        var b = new GraphBuilder().Input("x", F).Initializer("b", [3], 10, 20, 30).Node("Add", ["x", "b"], ["y"]).Output("y", F);
        var y = ReferenceEvaluator.EvaluateSingle(b.Build(), RefTensor.Of([2, 1], [1, 2]));
        Assert.Equal([2L, 3], y.Shape);
        Assert.Equal([11.0, 21, 31, 12, 22, 32], y.Data);
    }

    [Fact]
    public void BatchNormalization_Normalizes_Along_Axis_1()
    {
        var b = new GraphBuilder().Input("x", F)
            .Initializer("g", [2], 2, 1).Initializer("b", [2], 0, 1).Initializer("m", [2], 1, 0).Initializer("v", [2], 4, 1)
            .Node("BatchNormalization", ["x", "g", "b", "m", "v"], ["y"], "bn", ("epsilon", 0f));
        Assert.Equal([0.0, 2, 3, 5], Run(b, RefTensor.Of([1, 2, 2], [1, 3, 2, 4])));
    }

    [Theory]
    [InlineData("MaxPool", 0L, 0L, new[] { 4.0 })]
    [InlineData("AveragePool", 0L, 0L, new[] { 2.5 })]
    [InlineData("AveragePool", 1L, 0L, new[] { 1.0, 2, 3, 4 })]
    [InlineData("AveragePool", 1L, 1L, new[] { 0.25, 0.5, 0.75, 1 })]
    public void Pools_Window_And_Count_Padding_As_Specified(string op, long pad, long countIncludePad, double[] expected)
    {
        var b = new GraphBuilder().Input("x", F).Node(op, ["x"], ["y"], "p", ("kernel_shape", new long[] { 2, 2 }),
            ("strides", new long[] { 2, 2 }), ("pads", new[] { pad, pad, pad, pad }), ("count_include_pad", countIncludePad));
        Assert.Equal(expected, Run(b, RefTensor.Of([1, 1, 2, 2], [1, 2, 3, 4])));
    }

    [Fact]
    public void Flatten_Transpose_And_Softmax_Compose()
    {
        var b = new GraphBuilder(opset: 13).Input("x", F)
            .Node("Transpose", ["x"], ["t"], "t", ("perm", new long[] { 0, 2, 1 }))
            .Node("Flatten", ["t"], ["f"], "f")
            .Node("Softmax", ["f"], ["y"], "s");
        var y = Run(b, RefTensor.Of([1, 2, 2], [0, 0, Math.Log(3), 0]));
        // Transposed and flattened: [0, ln 3, 0, 0] → exp [1, 3, 1, 1] / 6.
        Assert.Equal(new[] { 1 / 6.0, 0.5, 1 / 6.0, 1 / 6.0 }.Select(v => Math.Round(v, 12)), y.Select(v => Math.Round(v, 12)));
    }

    [Theory]
    [InlineData(0L, 1L, new double[] { 2 })]
    [InlineData(1L, -1L, new double[] { 3, 4 })]
    [InlineData(-2L, 10L, new double[] { 4, 5 })]
    [InlineData(3L, 1L, new double[0])]
    public void Shape_Slices_The_Dims_From_Start_To_End(long start, long end, double[] expected)
    {
        var b = new GraphBuilder(opset: 15).Input("x", F).Node("Shape", ["x"], ["y"], "s", ("start", start), ("end", end));
        Assert.Equal(expected, Run(b, RefTensor.Zeros(2, 3, 4, 5)));
    }

    [Fact]
    public void Shape_Gather_Unsqueeze_Concat_Reshape_Flattens_Each_Sample()
    {
        // x.view(x.size(0), -1) as PyTorch exports it at opset 13
        var b = new GraphBuilder(opset: 13).Input("x", F)
            .Initializer(TensorData.Create<long>("zero", [], [0]))
            .Initializer(TensorData.Create<long>("axes", [1], [0]))
            .Initializer(TensorData.Create<long>("minus_one", [1], [-1]))
            .Node("Shape", ["x"], ["dims"], "s")
            .Node("Gather", ["dims", "zero"], ["n"], "g", ("axis", 0L))
            .Node("Unsqueeze", ["n", "axes"], ["n1"], "u")
            .Node("Concat", ["n1", "minus_one"], ["shape"], "c", ("axis", 0L))
            .Node("Reshape", ["x", "shape"], ["y"], "r")
            .Output("y", F);
        var x = RefTensor.Of([2, 3, 2], Enumerable.Range(0, 12).Select(v => (double)v).ToArray());

        var y = ReferenceEvaluator.EvaluateSingle(b.Build(), x);

        Assert.Equal([2L, 6], y.Shape);
        Assert.Equal(x.Data, y.Data);
    }

    [Fact]
    public void Unknown_Op_Names_The_Op_And_Node()
    {
        var b = new GraphBuilder().Input("x", F).Node("Frobnicate", ["x"], ["y"], "weird");
        var ex = Assert.Throws<NotSupportedException>(() => Run(b, RefTensor.Scalar(1)));
        Assert.Contains("Frobnicate", ex.Message);
        Assert.Contains("weird", ex.Message);
    }
}
