using OnnxBn.Runtime.Reference;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training.Tests.Surgery;

public sealed class ModelAssemblyTests
{
    private static readonly DenseSpec Output = new("head_output", 4, 1, [0.5f, -1f, 0.25f, 2f], [0.1f], null);

    [Fact]
    public void Appends_Gemm_And_Sigmoid_With_A_Named_Output()
    {
        var model = SurgeryModels.Mlp();
        model.SetMetadata("source", "A");
        var b = ModelAssembly.Build(GraphCut.Cut(model, "h2"), [], [Output], "Sigmoid");
        Assert.Equal("probability", b.Graph.Outputs.Single().Name);
        Assert.Equal("[N,1]", b.Graph.Outputs[0].ShapeText);
        Assert.Equal(["Gemm", "Relu", "Gemm", "LeakyRelu", "Gemm", "Sigmoid"], b.Graph.Nodes.Select(n => n.OpType));
        Assert.Contains(b.Metadata, p => p.Key == "source");

        var input = RefTensor.Of([3, 6], SurgeryModels.Values(18, 5).Select(v => (double)v).ToArray());
        var features = ReferenceEvaluator.EvaluateSingle(GraphCut.Cut(model, "h2"), input);
        var probability = ReferenceEvaluator.EvaluateSingle(b, input);
        for (var n = 0; n < 3; n++)
        {
            double z = 0.1;
            for (var i = 0; i < 4; i++)
                z += features.Data[n * 4 + i] * Output.Weights[i];
            Assert.Equal(1 / (1 + Math.Exp(-z)), probability.Data[n], 6);
        }
    }

    [Fact]
    public void Flattens_A_Cnn_Feature_Map_And_Adds_Hidden_And_Softmax_Layers()
    {
        var cut = GraphCut.Cut(SurgeryModels.Cnn(true), "pooled");
        var hidden = new DenseSpec("hidden", 3, 2, [1, 0, -1, 0.5f, 0.5f, 0.5f], [0, 0.1f], "Selu", 1.5f, 1.1f);
        var output = new DenseSpec("out", 2, 3, [1, 2, 3, 4, 5, 6], [0, 0, 0], null);
        var b = ModelAssembly.Build(cut, [], [hidden, output], "Softmax", "probabilities");
        Assert.Equal(["Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm", "Selu", "Gemm", "Softmax"], b.Graph.Nodes.Select(n => n.OpType));
        var selu = b.Graph.Nodes.Single(n => n.OpType == "Selu");
        Assert.Equal((1.5f, 1.1f), (selu.GetFloat("alpha", 0), selu.GetFloat("gamma", 0)));
        var result = ReferenceEvaluator.EvaluateSingle(b, RefTensor.Of([1, 1, 5, 5], SurgeryModels.Values(25, 3).Select(v => (double)v).ToArray()));
        Assert.Equal([1L, 3L], result.Shape);
        Assert.Equal(1.0, result.Data.Sum(), 9);
    }

    [Fact]
    public void Writes_Fine_Tuned_Weights_Into_New_Initializers_In_The_Nodes_Layout()
    {
        var model = SurgeryModels.Mlp();
        var cut = GraphCut.Cut(model, "h2");
        var layers = LinearChain.Last(cut, "h2", 2);
        var updates = layers.Select(l => new LayerUpdate(l, l.Weights.Select(w => w * 2).ToArray(), l.Bias!.Select(v => v + 1).ToArray())).ToList();
        var b = ModelAssembly.Build(cut, updates, [Output], "Sigmoid");

        // Reading the layers back from model B gives exactly the updated [out, in] weights and biases.
        var reread = LinearChain.Last(b, "h2", 2);
        for (var l = 0; l < 2; l++)
        {
            Assert.Equal(updates[l].Weights, reread[l].Weights);
            Assert.Equal(updates[l].Bias!, reread[l].Bias!);
        }
        Assert.DoesNotContain(b.Graph.Initializers, t => t.Name is "W1" or "W2" or "B1" or "B2");
        Assert.Equal(SurgeryModels.Values(30, 1), cut.Graph.Initializer("W1")!.ToArray<float>()); // base untouched
    }

    [Fact]
    public void Writes_Fine_Tuned_MatMul_Add_Weights()
    {
        var model = SurgeryModels.MatMulMlp();
        var cut = GraphCut.Cut(model, "h1");
        var layer = LinearChain.Last(cut, "h1", 1).Single();
        var update = new LayerUpdate(layer, layer.Weights.Select(w => -w).ToArray(), [1f, 2f, 3f]);
        var head = new DenseSpec("o", 3, 1, [1, 1, 1], [0], null);
        var b = ModelAssembly.Build(cut, [update], [head], "Sigmoid");
        var reread = LinearChain.Last(b, "h1", 1).Single();
        Assert.Equal(update.Weights, reread.Weights);
        Assert.Equal([1f, 2f, 3f], reread.Bias!);
    }

    [Fact]
    public void Rejects_A_Head_Ending_In_An_Activation()
    {
        var bad = Output with { ActivationOp = "Relu" };
        Assert.Throws<ArgumentException>(() => ModelAssembly.Build(GraphCut.Cut(SurgeryModels.Mlp(), "h2"), [], [bad], "Sigmoid"));
    }
}
