using OnnxBn.Folding;
using OnnxBn.Runtime.Reference;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training.Tests.Surgery;

public sealed class GraphCutTests
{
    [Fact]
    public void Auto_Cut_Is_The_Input_Of_The_Output_Gemm_Behind_Softmax()
    {
        Assert.Equal("h2", GraphCut.OutputLayerInput(SurgeryModels.Mlp()));
        Assert.Equal("flat", GraphCut.OutputLayerInput(SurgeryModels.Cnn(false)));
    }

    [Fact]
    public void Auto_Cut_Sees_Through_A_Bias_Add_And_Sigmoid()
    {
        Assert.Equal("h1", GraphCut.OutputLayerInput(SurgeryModels.MatMulMlp()));
    }

    [Fact]
    public void Auto_Cut_Rejects_A_Model_Not_Ending_In_A_Linear_Layer()
    {
        var model = SurgeryModels.Cnn(false);
        var cut = GraphCut.Cut(model, "r");
        var ex = Assert.Throws<UnsupportedModelException>(() => GraphCut.OutputLayerInput(cut));
        Assert.Contains("produced by Relu", ex.Message);
    }

    [Fact]
    public void Cut_Makes_The_Tensor_The_Only_Output_And_Prunes_The_Rest()
    {
        var model = SurgeryModels.Mlp();
        model.SetMetadata("author", "tests");
        var cut = GraphCut.Cut(model, "h2");
        Assert.Equal(["h2"], cut.Graph.Outputs.Select(o => o.Name));
        Assert.Equal(["Gemm", "Relu", "Gemm", "LeakyRelu"], cut.Graph.Nodes.Select(n => n.OpType));
        Assert.Equal(["W1", "B1", "W2", "B2"], cut.Graph.Initializers.Select(i => i.Name));
        Assert.Equal("[N,4]", cut.Graph.Outputs[0].ShapeText);
        Assert.DoesNotContain(cut.Graph.ValueInfos, v => v.Name == "h2");
        Assert.Equal(13, cut.OpsetVersion());
        Assert.Contains(cut.Metadata, p => p.Key == "author" && p.Value == "tests");
        Assert.Equal(6, model.Graph.Nodes.Count); // the original is untouched
    }

    [Fact]
    public void Cut_Output_Computes_The_Same_Values_As_The_Original_Intermediate()
    {
        var model = SurgeryModels.Mlp();
        var input = RefTensor.Of([2, 6], SurgeryModels.Values(12, 99).Select(v => (double)v).ToArray());
        var cut = ReferenceEvaluator.EvaluateSingle(GraphCut.Cut(model, "h2"), input);
        // h2 recomputed by hand from the weights: LeakyRelu(0.5·relu(X·W1ᵀ + B1)·W2 + 2·B2).
        var w1 = SurgeryModels.Values(30, 1); var b1 = SurgeryModels.Values(5, 2);
        var w2 = SurgeryModels.Values(20, 3); var b2 = SurgeryModels.Values(4, 4);
        for (var n = 0; n < 2; n++)
            for (var j = 0; j < 4; j++)
            {
                double z = 2 * b2[j];
                for (var k = 0; k < 5; k++)
                {
                    double h = b1[k];
                    for (var i = 0; i < 6; i++)
                        h += input.Data[n * 6 + i] * w1[k * 6 + i];
                    z += 0.5 * Math.Max(0, h) * w2[k * 4 + j];
                }
                Assert.Equal(z >= 0 ? z : 0.1 * z, cut.Data[n * 4 + j], 5);
            }
    }

    [Theory]
    [InlineData(true, "[N,3,1,1]")]
    [InlineData(false, "[?]")]
    public void Cnn_Cut_At_Global_Average_Pool_Takes_The_Declared_Shape_Or_None(bool declared, string shape)
    {
        var cut = GraphCut.Cut(SurgeryModels.Cnn(declared), "pooled");
        Assert.Equal(["Conv", "Relu", "GlobalAveragePool"], cut.Graph.Nodes.Select(n => n.OpType));
        Assert.Equal(shape, cut.Graph.Outputs[0].ShapeText);
        Assert.Equal(OnnxDataType.Float, cut.Graph.Outputs[0].ElementType);
        Assert.Equal(["K", "KB"], cut.Graph.Initializers.Select(i => i.Name));
    }

    [Fact]
    public void Cut_At_The_Graph_Input_Leaves_No_Nodes()
    {
        var cut = GraphCut.Cut(SurgeryModels.Mlp(), "X");
        Assert.Empty(cut.Graph.Nodes);
        Assert.Empty(cut.Graph.Initializers);
        Assert.Equal("X", cut.Graph.Outputs.Single().Name);
    }

    [Fact]
    public void Cut_At_An_Unknown_Tensor_Names_It()
    {
        var ex = Assert.Throws<OnnxModelException>(() => GraphCut.Cut(SurgeryModels.Mlp(), "nope"));
        Assert.Contains("'nope'", ex.Message);
    }
}
