using OnnxBn.Folding.Rules;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// The channel-count proof behind every forward fold of a Mul/Add affine op: which ops it walks through, which nodes
/// fix the count, and where it gives up.
/// </summary>
public sealed class ChannelCountTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    private static readonly ChannelAxis Axis1 = new(1, FromEnd: false);
    private static readonly ChannelAxis Last = new(1, FromEnd: true);

    /// <summary>x:[N,C,4,4] (channels unknown) → Conv(W [3,C,1,1]) → c.</summary>
    private static GraphBuilder ConvOfUnknownInput() => new GraphBuilder()
        .Input("x", Float, "N", "C", 4, 4)
        .Output("y", Float, "N", "?", "?", "?")
        .Initializer("W", [3, 2, 1, 1], 1f, 1f, 1f, 1f, 1f, 1f)
        .Node("Conv", ["x", "W"], ["c"], "conv");

    private static long? Along(GraphBuilder builder, string value, ChannelAxis axis) =>
        ChannelCount.Along(new FoldContext(builder.Build()), value, axis);

    [Fact]
    public void Reads_A_Declared_Dim_And_Not_A_Symbolic_One()
    {
        var builder = new GraphBuilder().Input("x", Float, "N", 5, "W").Output("y", Float, "N", 5, "W").Node("Relu", ["x"], ["y"]);

        Assert.Equal(5, Along(builder, "x", Axis1));
        Assert.Null(Along(builder, "x", Last));
    }

    [Fact]
    public void Walks_Up_Through_Activations_To_A_Conv_Weight_And_Its_Spatial_Size()
    {
        var builder = ConvOfUnknownInput()
            .Node("Relu", ["c"], ["r"])
            .Node("Clip", ["r"], ["k"])
            .Node("Sigmoid", ["k"], ["y"]);

        // A 1×1 kernel keeps x's 4×4 spatial size; the channels come from W, not from x's symbolic C.
        Assert.Equal(3, Along(builder, "y", Axis1));
        Assert.Equal(4, Along(builder, "y", Last));
    }

    [Fact]
    public void Keeps_The_Channel_Axis_Through_Pooling()
    {
        var builder = ConvOfUnknownInput().Node("MaxPool", ["c"], ["y"], "pool", ("kernel_shape", new long[] { 2, 2 }));

        Assert.Equal(3, Along(builder, "y", Axis1));
        Assert.Equal(3, Along(builder, "y", Last));
    }

    [Fact]
    public void Takes_A_Residual_Adds_Channels_From_Either_Branch()
    {
        var builder = ConvOfUnknownInput().Node("Add", ["x", "c"], ["y"]);

        Assert.Equal(3, Along(builder, "y", Axis1));
    }

    [Fact]
    public void A_Broadcast_Is_One_Only_When_Every_Operand_Is_Proven_One()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 1)
            .Input("u", Float, "N", "K")
            .Output("y", Float, "N", "?")
            .Output("z", Float, "N", "?")
            .Initializer("one", [1, 1], 2f)
            .Node("Mul", ["x", "one"], ["p"])
            .Node("Relu", ["p"], ["y"])
            .Node("Mul", ["u", "one"], ["z"]);

        Assert.Equal(1, Along(builder, "y", Last));
        Assert.Null(Along(builder, "z", Last));
    }

    [Fact]
    public void A_Constant_Operand_Above_One_Fixes_The_Size()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", "K")
            .Output("y", Float, "N", "?")
            .Initializer("bias", [4], 1f, 2f, 3f, 4f)
            .Node("Add", ["x", "bias"], ["y"]);

        Assert.Equal(4, Along(builder, "y", Last));
    }

    [Fact]
    public void Reads_BatchNormalization_Parameters_On_Axis_1()
    {
        var builder = new GraphBuilder().Input("x", Float, "N", "C").Output("y", Float, "N", "C").Bn("bn", "x", "y");

        Assert.Equal(2, Along(builder, "y", Axis1));
    }

    [Fact]
    public void Follows_A_Transpose_Back_To_The_Conv_Channels()
    {
        // Conv1d [N,3,L] → Transpose(0,2,1) → [N,L,3]: the last axis is the Conv's channel axis.
        var builder = new GraphBuilder()
            .Input("x", Float, "N", "C", 6)
            .Output("y", Float, "N", "?", "?")
            .Initializer("W", [3, 2, 1], 1f, 1f, 1f, 1f, 1f, 1f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Transpose", ["c"], ["y"], "t", ("perm", new long[] { 0, 2, 1 }));

        Assert.Equal(3, Along(builder, "y", Last));
        Assert.Equal(6, Along(builder, "y", Axis1));
    }

    [Fact]
    public void Reads_A_Positive_Entry_Of_A_Constant_Reshape_Shape_But_Not_Minus_One()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", "C", "H", "W")
            .Output("y", Float, "?", "?")
            .Initializer(TensorData.Create<long>("shape", [2], [-1, 12]))
            .Node("Reshape", ["x", "shape"], ["y"]);

        Assert.Equal(12, Along(builder, "y", Last));
        Assert.Null(Along(builder, "y", Axis1 with { Index = 0 }));
    }

    [Fact]
    public void Reads_Gemm_MatMul_And_ConvTranspose_Weights()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", "K")
            .Input("v", Float, "N", "C", 3, 3)
            .Output("g", Float, "N", "?")
            .Output("m", Float, "N", "?")
            .Output("d", Float, "N", "?", "?", "?")
            .Initializer("B", [5, 4], new float[20])
            .Initializer("W", [4, 6], new float[24])
            .Initializer("D", [4, 3, 1, 1], new float[12])
            .Node("Gemm", ["x", "B"], ["g"], "gemm", ("transB", 1L))
            .Node("MatMul", ["x", "W"], ["m"], "mm")
            .Node("ConvTranspose", ["v", "D"], ["d"], "deconv", ("group", 2L));

        Assert.Equal(5, Along(builder, "g", Last));
        Assert.Equal(6, Along(builder, "m", Last));
        Assert.Equal(6, Along(builder, "d", Axis1));
    }

    [Fact]
    public void Adds_Constant_Pads_To_The_Channel_Count()
    {
        var builder = ConvOfUnknownInput().Node("Pad", ["c", "pads"], ["y"])
            .Initializer(TensorData.Create<long>("pads", [8], [0, 1, 0, 0, 0, 1, 0, 0]));

        Assert.Equal(5, Along(builder, "y", Axis1));
    }

    [Fact]
    public void Gives_Up_At_An_Op_It_Does_Not_Know()
    {
        var builder = ConvOfUnknownInput().Input("repeats", OnnxDataType.Int64, 4)
            .Node("Tile", ["c", "repeats"], ["y"]);

        Assert.Null(Along(builder, "y", Axis1));
    }

    [Fact]
    public void Gives_Up_When_A_Pad_Amount_Is_Read_At_Run_Time()
    {
        var builder = ConvOfUnknownInput().Input("pads", OnnxDataType.Int64, 8).Node("Pad", ["c", "pads"], ["y"]);

        Assert.Null(Along(builder, "y", Axis1));
    }
}
