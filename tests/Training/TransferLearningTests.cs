using OnnxBn.Folding;

namespace OnnxBn.Training.Tests;

public sealed class TransferLearningTests
{
    private static readonly TransferOptions Fast = new()
    {
        Training = new TrainingOptions { Epochs = 3, LearningRate = 0.05f, BatchSize = 16 },
        FineTune = new TrainingOptions { Epochs = 2, LearningRate = 0.01f, BatchSize = 16 },
        FeatureBatch = 64,
    };

    private static (TransferLearning Transfer, Network Network, TrainingHistory History, OnnxModel ModelB, LabeledTest Test) Run(OnnxModel modelA, TransferOptions options)
    {
        var transfer = TransferLearning.Prepare(modelA, options);
        var data = TransferModels.Data();
        var (train, validation, test) = transfer.ExtractFeatures(data);
        var network = transfer.CreateNetwork(train.FeatureSize);
        var history = transfer.Train(network, train, validation);
        var modelB = transfer.Export(network, history);
        return (transfer, network, history, modelB, new LabeledTest(data.Test, test));
    }

    internal sealed record LabeledTest(OnnxBn.Runtime.Data.LabeledData Raw, OnnxBn.Runtime.Data.LabeledData Features);

    [Fact]
    public void Exported_Model_B_Reproduces_The_Trainer_Predictions_On_Onnx_Runtime()
    {
        var (transfer, network, history, modelB, test) = Run(TransferModels.Mlp(), Fast with { Unfreeze = 2, Hidden = [5], HiddenActivation = Activation.Selu() });
        using (transfer)
        {
            Assert.Equal(["fc1", "fc2"], transfer.Unfrozen.Select(l => l.Name));
            Assert.Equal("flat", transfer.FeatureTensor);
            Assert.Equal(5, history.Epochs.Count);
            var reloaded = OnnxModel.FromBytes(modelB.ToBytes());
            var check = TransferLearning.Evaluate(reloaded, network, test.Raw, test.Features);
            Assert.Equal(test.Raw.Count, check.IdenticalPredictions);
            Assert.True(check.MaxProbabilityDifference <= 1e-5, $"max |dp| = {check.MaxProbabilityDifference}");
            Assert.Equal(check.TrainerAccuracy, check.RuntimeAccuracy);
            Assert.Equal("probability", reloaded.Graph.Outputs.Single().Name);
            Assert.Equal(13, reloaded.OpsetVersion());
            Assert.Contains(reloaded.Metadata, p => p.Key == "onnxbn.transfer.fine_tune_epochs" && p.Value == "2");
            Assert.Contains("3 frozen + 2 fine-tuning epochs", reloaded.DocString);
        }
    }

    [Fact]
    public void Fine_Tuning_Changes_The_Base_Weights_And_Frozen_Training_Does_Not()
    {
        var frozen = Run(TransferModels.Mlp(), Fast with { Unfreeze = 2, FineTune = Fast.FineTune with { Epochs = 0 } });
        using (frozen.Transfer)
            Assert.Equal(frozen.Transfer.Unfrozen[0].Weights, ((DenseLayer)frozen.Network.Layers[0]).Weights);
        var tuned = Run(TransferModels.Mlp(), Fast with { Unfreeze = 2 });
        using (tuned.Transfer)
            Assert.NotEqual(tuned.Transfer.Unfrozen[0].Weights, ((DenseLayer)tuned.Network.Layers[0]).Weights);
    }

    [Fact]
    public void Cnn_Is_Cut_At_Its_Pooled_Features_With_A_Softmax_Head()
    {
        var (transfer, network, _, modelB, test) = Run(TransferModels.Cnn(), Fast with { Classes = 3, OutputName = "probabilities" });
        using (transfer)
        {
            Assert.Equal("flat", transfer.CutTensor);
            Assert.Equal(HeadLoss.SoftmaxCrossEntropy, network.Loss);
            Assert.Equal(4, network.InputSize);
            var check = TransferLearning.Evaluate(modelB, network, test.Raw, test.Features);
            Assert.True(check.MaxProbabilityDifference <= 1e-5, $"max |dp| = {check.MaxProbabilityDifference}");
            Assert.Equal("Softmax", modelB.Graph.Producer("probabilities")!.OpType);
        }
    }

    [Fact]
    public void Cnn_Cut_At_Global_Average_Pool_Flattens_In_Model_B()
    {
        var (transfer, network, _, modelB, test) = Run(TransferModels.Cnn(), Fast with { Cut = "pooled" });
        using (transfer)
        {
            Assert.Contains(modelB.Graph.Nodes, n => n.OpType == "Flatten" && n.Input(0) == "pooled");
            var check = TransferLearning.Evaluate(modelB, network, test.Raw, test.Features);
            Assert.True(check.MaxProbabilityDifference <= 1e-5);
        }
    }

    [Fact]
    public void Batch_Norm_Is_Folded_Before_Unfreezing()
    {
        var (transfer, network, _, modelB, test) = Run(TransferModels.MlpWithBatchNorm(), Fast with { Unfreeze = 1 });
        using (transfer)
        {
            Assert.NotNull(transfer.FoldReport);
            Assert.DoesNotContain(modelB.Graph.Nodes, n => n.OpType == "BatchNormalization");
            var check = TransferLearning.Evaluate(modelB, network, test.Raw, test.Features);
            Assert.True(check.MaxProbabilityDifference <= 1e-5);
        }
    }

    [Fact]
    public void Tf2onnx_Dense_Batch_Norm_Base_Is_Folded_Before_Its_Layers_Are_Unfrozen()
    {
        var data = TransferModels.Data();
        var features = new TransferData(Flat(data.Train), Flat(data.Validation), Flat(data.Test));
        using var transfer = TransferLearning.Prepare(TransferModels.KerasDenseBatchNorm(), Fast with { Unfreeze = 1 });
        Assert.NotNull(transfer.FoldReport);
        var layer = Assert.Single(transfer.Unfrozen);
        Assert.Equal("dense/MatMul", layer.Name);
        var (train, validation, test) = transfer.ExtractFeatures(features);
        var network = transfer.CreateNetwork(train.FeatureSize);
        var modelB = transfer.Export(network, transfer.Train(network, train, validation));
        Assert.DoesNotContain(modelB.Graph.Nodes, n => n.OpType == "Mul");
        var check = TransferLearning.Evaluate(modelB, network, features.Test, test);
        Assert.True(check.MaxProbabilityDifference <= 1e-5, $"max |dp| = {check.MaxProbabilityDifference}");

        static OnnxBn.Runtime.Data.LabeledData Flat(OnnxBn.Runtime.Data.LabeledData d) => d;
    }

    [Fact]
    public void Unfreezing_Past_A_Conv_Is_A_Clear_Error()
    {
        var ex = Assert.Throws<UnsupportedModelException>(() => TransferLearning.Prepare(TransferModels.Cnn(), Fast with { Unfreeze = 2 }));
        Assert.Contains("produced by Flatten", ex.Message);
    }

    [Fact]
    public void Same_Seed_Gives_The_Same_Model_B_Bit_For_Bit()
    {
        var a = Run(TransferModels.Mlp(), Fast with { Unfreeze = 1 });
        var b = Run(TransferModels.Mlp(), Fast with { Unfreeze = 1 });
        a.Transfer.Dispose();
        b.Transfer.Dispose();
        Assert.Equal(a.ModelB.ToBytes(), b.ModelB.ToBytes());
    }

    [Fact]
    public void Feature_Cache_Is_Reused_Only_For_The_Same_Model_And_Data()
    {
        var path = Path.Combine(Path.GetTempPath(), "onnxbn-cache-tests", Guid.NewGuid().ToString("N"), "features.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var data = TransferModels.Data();
        using var transfer = TransferLearning.Prepare(TransferModels.Mlp(), Fast with { CachePath = path });
        var messages = new List<string>();
        var first = transfer.ExtractFeatures(data, log: messages.Add);
        var second = transfer.ExtractFeatures(data, log: messages.Add);
        Assert.Equal(first.Train.Features, second.Train.Features);
        Assert.Equal(["computing", "reused"], messages.Select(m => m.Split(": ")[1]));
        transfer.ExtractFeatures(data with { Test = TransferModels.Images(50, 99) }, log: messages.Add);
        Assert.EndsWith("computing", messages[^1]);
    }

    [Fact]
    public void Feature_Extraction_Does_Not_Depend_On_The_Batch_Size()
    {
        var modelA = TransferModels.Mlp();
        using var transfer = TransferLearning.Prepare(modelA, Fast);
        var images = TransferModels.Images(300, 5);
        using var extractor = new FeatureExtractor(transfer.FrozenBase);
        var (batched, size) = extractor.Run(images, batchSize: 128);
        var (single, _) = extractor.Run(images, batchSize: 300);
        Assert.Equal(6, size);
        // ONNX Runtime's GEMM blocks differently per batch size, so sums may round differently in the last bit.
        Assert.Equal(single.Length, batched.Length);
        for (int i = 0; i < single.Length; i++)
            Assert.True(Math.Abs(single[i] - batched[i]) <= 1e-5f * Math.Max(1f, Math.Abs(single[i])), $"feature {i}: {single[i]} vs {batched[i]}");
    }
}
