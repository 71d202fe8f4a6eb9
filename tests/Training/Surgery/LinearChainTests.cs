using OnnxBn.Folding;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training.Tests.Surgery;

public sealed class LinearChainTests
{
    [Fact]
    public void Extracts_Gemm_Layers_With_Alpha_Beta_And_Transposition_Applied()
    {
        var layers = LinearChain.Last(SurgeryModels.Mlp(), "h2", 2);
        Assert.Equal(2, layers.Count);
        var (fc1, fc2) = (layers[0], layers[1]);
        Assert.Equal(("X", "h1", 6, 5, "Relu"), (fc1.Input, fc1.Output, fc1.Inputs, fc1.Outputs, fc1.ActivationOp));
        Assert.Equal(SurgeryModels.Values(30, 1), fc1.Weights);
        Assert.Equal(("h1", "h2", "LeakyRelu", 0.1f), (fc2.Input, fc2.Output, fc2.ActivationOp, fc2.ActivationAlpha));
        var w2 = SurgeryModels.Values(20, 3);
        Assert.Equal(0.5f * w2[3 * 4 + 2], fc2.Weights[2 * 5 + 3]); // row o=2, column i=3 of Wᵀ, times alpha
        Assert.Equal(SurgeryModels.Values(4, 4).Select(b => 2 * b), fc2.Bias!);
    }

    [Fact]
    public void Extracts_MatMul_Add_Layers_With_The_Bias_On_Either_Side()
    {
        var model = SurgeryModels.MatMulMlp();
        var layers = LinearChain.Last(model, "h1", 1);
        var layer = layers.Single();
        Assert.Equal((LinearForm.MatMul, "X", "h1", "Tanh", "m1", "z1"),
            (layer.Form, layer.Input, layer.Output, layer.ActivationOp, layer.LinearOutput, layer.BiasOutput));
        Assert.Equal(SurgeryModels.Values(3, 8), layer.Bias!);
        Assert.Equal(SurgeryModels.Values(12, 7)[1 * 3 + 2], layer.Weights[2 * 4 + 1]);
    }

    [Fact]
    public void Zero_Layers_Is_An_Empty_Chain()
    {
        Assert.Empty(LinearChain.Last(SurgeryModels.Mlp(), "h2", 0));
    }

    [Fact]
    public void A_Conv_In_The_Way_Is_A_Clear_Error()
    {
        var model = SurgeryModels.Cnn(false);
        var ex = Assert.Throws<UnsupportedModelException>(() => LinearChain.Last(model, "flat", 1));
        Assert.Contains("produced by Flatten", ex.Message);
        Assert.Contains("Gemm or MatMul(+Add)", ex.Message);
    }

    [Fact]
    public void Asking_For_More_Layers_Than_Exist_Names_The_Graph_Input()
    {
        var ex = Assert.Throws<UnsupportedModelException>(() => LinearChain.Last(SurgeryModels.Mlp(), "h2", 3));
        Assert.Contains("no node (a graph input)", ex.Message);
    }

    [Fact]
    public void A_Value_Read_Outside_The_Chain_Is_Rejected()
    {
        var model = new TestUtilities.GraphBuilder()
            .Input("X", OnnxDataType.Float, "N", 2)
            .Output("Y", OnnxDataType.Float, "N", 2)
            .Initializer("W", [2, 2], 1, 0, 0, 1)
            .Node("Gemm", ["X", "W"], ["a"], "g1")
            .Node("Relu", ["a"], ["h"], "r1")
            .Node("Gemm", ["h", "W"], ["b"], "g2")
            .Node("Add", ["b", "h"], ["Y"], "skip")
            .Build();
        var ex = Assert.Throws<UnsupportedModelException>(() => LinearChain.Last(model, "b", 2));
        Assert.Contains("skip connection", ex.Message);
    }
}
