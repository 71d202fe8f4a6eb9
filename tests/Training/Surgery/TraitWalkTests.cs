using OnnxBn.Folding;
using OnnxBn.TestUtilities;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training.Tests.Surgery;

/// <summary>
/// The walks of graph surgery (to the output layer, to the global pooling, back to the Conv that made a feature map)
/// step over whatever the op-trait table says they may, not over a list of their own.
/// </summary>
public sealed class TraitWalkTests
{
    [Theory]
    [InlineData("LogSoftmax")]
    [InlineData("Hardmax")]
    [InlineData("Dropout")]
    [InlineData("Identity")]
    public void Auto_Cut_Steps_Over_Any_Class_Score_Or_Element_Moving_Op_Behind_The_Output_Layer(string last)
    {
        var model = new GraphBuilder()
            .Input("X", OnnxDataType.Float, "N", 4)
            .Output("Y", OnnxDataType.Float, "N", 3)
            .Initializer("W", [3, 4], SurgeryModels.Values(12, 1)).Initializer("B", [3], SurgeryModels.Values(3, 2))
            .Node("Relu", ["X"], ["h"], "relu")
            .Node("Gemm", ["h", "W", "B"], ["logits"], "fc", ("transB", 1L))
            .Node(last, ["logits"], ["Y"], "last")
            .Build();
        Assert.Equal("h", GraphCut.OutputLayerInput(model));
    }

    [Fact]
    public void Auto_Cut_Does_Not_Step_Over_An_Activation_That_Is_Not_A_Class_Score()
    {
        var model = new GraphBuilder()
            .Input("X", OnnxDataType.Float, "N", 4)
            .Output("Y", OnnxDataType.Float, "N", 3)
            .Initializer("W", [3, 4], SurgeryModels.Values(12, 1))
            .Node("Gemm", ["X", "W"], ["logits"], "fc", ("transB", 1L))
            .Node("Relu", ["logits"], ["Y"], "relu")
            .Build();
        var ex = Assert.Throws<UnsupportedModelException>(() => GraphCut.OutputLayerInput(model));
        Assert.Contains("produced by Relu", ex.Message);
    }

    [Theory]
    [InlineData("GlobalAveragePool", true)]
    [InlineData("GlobalMaxPool", false)]
    public void Gap_Cut_Finds_Only_An_Average_Pool_Behind_Any_Reshape(string pool, bool found)
    {
        var model = new GraphBuilder()
            .Input("X", OnnxDataType.Float, "N", 3, 4, 4)
            .Output("Y", OnnxDataType.Float, "N", 2)
            .Initializer(TensorData.Create("axes", [2], new long[] { 2, 3 }.AsSpan()))
            .Initializer(TensorData.Create("axis", [1], new long[] { 1 }.AsSpan()))
            .Initializer("W", [2, 3], SurgeryModels.Values(6, 3))
            .Node(pool, ["X"], ["p"], "pool")
            .Node("Squeeze", ["p", "axes"], ["s"], "squeeze")
            .Node("Unsqueeze", ["s", "axis"], ["u"], "unsqueeze")
            .Node("Flatten", ["u"], ["f"], "flatten", ("axis", 1L))
            .Node("Gemm", ["f", "W"], ["Y"], "fc", ("transB", 1L))
            .Build();
        if (found)
            Assert.Equal("X", GraphCut.PoolingInput(model));
        else
            Assert.Contains("produced by GlobalMaxPool", Assert.Throws<UnsupportedModelException>(() => GraphCut.PoolingInput(model)).Message);
    }

    [Theory]
    [InlineData("Cast", 5)]
    [InlineData("Softmax", 5)]
    [InlineData("GlobalMaxPool", 5)]
    [InlineData("Transpose", null)]
    [InlineData("Flatten", null)]
    public void Feature_Channels_Come_From_The_Conv_Through_Ops_That_Keep_Channels_Only(string op, int? channels)
    {
        var model = new GraphBuilder()
            .Input("X", OnnxDataType.Float, "N", 2, 4, 4)
            .OutputWithoutShape("Y", OnnxDataType.Float)
            .Initializer("K", [5, 2, 3, 3], SurgeryModels.Values(90, 4))
            .Node("Conv", ["X", "K"], ["c"], "conv", ("kernel_shape", new long[] { 3, 3 }))
            .Node("Relu", ["c"], ["r"], "relu")
            .Node(op, ["r"], ["Y"], "op", Attribute(op))
            .Build();
        Assert.Equal(channels, FeatureChannels.Of(model, "Y"));
    }

    private static (string, object) Attribute(string op) => op switch
    {
        "Cast" => ("to", 1L),
        "Transpose" => ("perm", new long[] { 0, 2, 3, 1 }),
        _ => ("axis", 1L),
    };
}
