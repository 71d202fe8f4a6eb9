using OnnxBn.Folding;

namespace OnnxBn.Training.Tests;

/// <summary>
/// Model B computes what the trained head computes in inference mode, through ONNX Runtime, for every head layer:
/// dropout is gone and BatchNormalization is folded into the next dense layer.
/// </summary>
public sealed class HeadExportTests
{
    private static readonly TransferOptions Fast = new()
    {
        Training = new TrainingOptions { Epochs = 2, LearningRate = 0.05f, BatchSize = 16, Optimizer = OptimizerKind.Adam },
        FeatureBatch = 64,
        Classes = 2,
    };

    [Theory]
    [InlineData("r", "gap")]
    [InlineData("r", "flatten")]
    [InlineData("r", "flatten, dropout(0.5)")]
    [InlineData("r", "gap, dropout(0.7), dense(6, relu, l2=0.01)")]
    [InlineData("r", "batchnorm, gap, dense(5, elu)")]
    [InlineData("r", "flatten, batchnorm, dense(6, tanh, l1=0.001), batchnorm, dropout(0.3)")]
    [InlineData("flat", "batchnorm, dense(4, selu), batchnorm, dense(3)")]
    public void Model_B_On_Onnx_Runtime_Matches_The_Trained_Head(string cut, string head)
    {
        var options = Fast with { Cut = cut, Head = HeadSpec.Parse(head) };
        using var transfer = TransferLearning.Prepare(TransferModels.Cnn(), options);
        var data = TransferModels.Data();
        var (train, validation, test) = transfer.ExtractFeatures(data);
        var network = transfer.CreateNetwork(train.FeatureSize);
        var history = transfer.Train(network, train, validation);
        var modelB = OnnxModel.FromBytes(transfer.Export(network, history).ToBytes());

        var check = TransferLearning.Evaluate(modelB, network, data.Test, test);
        Assert.True(check.MaxProbabilityDifference <= 1e-5, $"{head}: max |dp| = {check.MaxProbabilityDifference}");
        Assert.Equal(test.Count, check.IdenticalPredictions);
        Assert.DoesNotContain(modelB.Graph.Nodes, n => n.OpType is "Dropout" or "BatchNormalization");
        Assert.Equal(head.Contains("gap") ? 1 : 0, modelB.Graph.Nodes.Count(n => n.OpType == "GlobalAveragePool" && n.Name.StartsWith("head_")));
        Assert.Contains(modelB.Metadata, p => p.Key == "onnxbn.transfer.head" && p.Value.EndsWith("-> Sigmoid"));
    }

    [Fact]
    public void A_Head_Starting_With_Gap_Cuts_Before_Model_As_Own_Pooling()
    {
        using var transfer = TransferLearning.Prepare(TransferModels.Cnn(), Fast with { Head = HeadSpec.Parse("gap, dense(4, relu)") });
        Assert.Equal("r", transfer.CutTensor);
        Assert.Equal([4, 16], transfer.FeatureShape(64));
    }

    [Fact]
    public void Batch_Norm_In_The_Head_Trains_Its_Moving_Statistics()
    {
        using var transfer = TransferLearning.Prepare(TransferModels.Mlp(), Fast with { Head = HeadSpec.Parse("batchnorm, dense(4, relu)") });
        var (train, validation, _) = transfer.ExtractFeatures(TransferModels.Data());
        var network = transfer.CreateNetwork(train.FeatureSize);
        transfer.Train(network, train, validation);
        var bn = Assert.IsType<BatchNormLayer>(network.Layers[0]);
        Assert.DoesNotContain(0f, bn.MovingMean);
        Assert.DoesNotContain(1f, bn.MovingVariance);
    }
}
