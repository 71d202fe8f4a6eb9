using OnnxBn.Folding;

namespace OnnxBn.Training.Tests;

/// <summary>ReduceLROnPlateau, checkpoints, resume and interruption.</summary>
public sealed class CallbackTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onnxbn-callback-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static TransferOptions Options(string? checkpoints, int epochs = 4) => new()
    {
        Unfreeze = 1,
        Head = HeadSpec.Parse("dropout(0.2), dense(5, relu), batchnorm"),
        Training = new TrainingOptions { Epochs = epochs, LearningRate = 0.01f, BatchSize = 16, Optimizer = OptimizerKind.Nadam },
        FineTune = new TrainingOptions { Epochs = 2, LearningRate = 0.001f, BatchSize = 16, Optimizer = OptimizerKind.AdamW },
        FeatureBatch = 64,
        CheckpointDirectory = checkpoints,
    };

    private static (Network Network, TrainingHistory History, OnnxModel ModelB, double ValidationLoss) Run(TransferOptions options,
        TransferRun? run = null, Action<EpochRecord>? onEpoch = null, bool flipValidationLabels = false)
    {
        using var transfer = TransferLearning.Prepare(TransferModels.Mlp(), options);
        var data = TransferModels.Data();
        if (flipValidationLabels)
            data = data with { Validation = new(data.Validation.Features, data.Validation.Labels.Select(l => 1 - l).ToArray(), data.Validation.FeatureSize) };
        var (train, validation, _) = transfer.ExtractFeatures(data);
        var network = transfer.CreateNetwork(train.FeatureSize);
        var history = transfer.Train(network, train, validation, onEpoch: onEpoch, run: run);
        // The head's view of the validation set (after the unfrozen base layer), as the loop evaluated it.
        var headInput = TransferLearning.ForwardPrefix(network, transfer.Unfrozen.Count, validation);
        var head = new Network(network.Layers.Skip(transfer.Unfrozen.Count).ToArray(), network.Loss);
        return (network, history, transfer.Export(network, history), head.Evaluate(headInput).Loss);
    }

    [Fact]
    public void Checkpoints_Write_Best_And_Last_Model_B_And_Resume_Bit_For_Bit()
    {
        var straight = Run(Options(null));

        // Stop after epoch 2 of 4 (cancel between batches), then resume from the checkpoint directory.
        using var stop = new CancellationTokenSource();
        var first = Run(Options(_dir), new TransferRun { Cancellation = stop.Token }, record =>
        {
            if (record.Epoch == 2)
                stop.Cancel();
        });
        Assert.Equal(new Interruption(TransferLearning.FrozenPhase, 3, 0, first.History.RestoredEpochs[TransferLearning.FrozenPhase]), first.History.Interruption);
        Assert.True(File.Exists(Path.Combine(_dir, "best.onnx")));
        Assert.Equal("2", OnnxModel.Load(Path.Combine(_dir, "last.onnx")).Metadata.Single(p => p.Key == "onnxbn.transfer.epochs").Value);

        var resumed = Run(Options(_dir), new TransferRun { Resume = TransferCheckpoint.Load(_dir) });
        Assert.Null(resumed.History.Interruption);
        Assert.Equal(straight.History.Epochs.Select(e => (e.Phase, e.Epoch, e.Loss, e.ValidationLoss)),
            resumed.History.Epochs.Select(e => (e.Phase, e.Epoch, e.Loss, e.ValidationLoss)));
        Assert.Equal(straight.ModelB.ToBytes(), resumed.ModelB.ToBytes());
    }

    [Fact]
    public void Best_Checkpoint_Is_The_Lowest_Val_Loss_Of_The_Whole_Run_Across_Phases()
    {
        var (_, history, _, _) = Run(Options(_dir, epochs: 3));
        var best = history.Epochs.MinBy(e => e.ValidationLoss)!;
        var metadata = OnnxModel.Load(Path.Combine(_dir, "best.onnx")).Metadata.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(best.ValidationLoss.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture), metadata["onnxbn.transfer.val_loss"]);
        var last = OnnxModel.Load(Path.Combine(_dir, "last.onnx")).Metadata.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("2", last["onnxbn.transfer.fine_tune_epochs"]);
    }

    [Fact]
    public void Resuming_With_Another_Head_Is_Refused()
    {
        Run(Options(_dir, epochs: 1));
        var ex = Assert.Throws<CheckpointMismatchException>(() =>
            Run(Options(null) with { Head = HeadSpec.Parse("dense(7)") }, new TransferRun { Resume = TransferCheckpoint.Load(_dir) }));
        Assert.Contains("Dense(7", ex.Message);
    }

    [Fact]
    public void Interrupting_Restores_The_Best_Epoch_So_Far()
    {
        using var stop = new CancellationTokenSource();
        var validationLosses = new List<double>();
        var (_, history, _, validationLoss) = Run(Options(null, epochs: 6), new TransferRun { Cancellation = stop.Token }, record =>
        {
            validationLosses.Add(record.ValidationLoss);
            if (record.Epoch == 4)
                stop.Cancel();
        }, flipValidationLabels: true);
        // Flipped validation labels: the better the fit, the worse val_loss, so an early epoch is the best.
        var best = validationLosses.IndexOf(validationLosses.Min()) + 1;
        Assert.True(best < 4, $"best epoch {best}");
        Assert.Equal(best, history.Interruption!.RestoredEpoch);
        Assert.Equal(4, history.Epochs.Count);
        Assert.DoesNotContain(history.Epochs, e => e.Phase == TransferLearning.FineTunePhase);
        // The network holds that epoch's weights (and BN statistics) again: it scores that epoch's val_loss exactly.
        Assert.Equal(validationLosses.Min(), validationLoss, 12);
    }

    [Fact]
    public void Reduce_Lr_On_Plateau_Multiplies_The_Rate_After_Patience_Epochs_Without_Improvement()
    {
        var train = TrainerTests.Blobs(200, 4, 2, 21);
        // Validation labels flipped: val_loss rises from the first epoch on, so every epoch after the first is a plateau.
        var validation = new OnnxBn.Runtime.Data.LabeledData(train.Features, train.Labels.Select(l => 1 - l).ToArray(), 4);
        var network = HeadFactory.Create(4, 2, [], Activation.Relu, WeightInitializer.GlorotUniform, 2);
        var options = new TrainingOptions { Epochs = 7, LearningRate = 0.05f, Plateau = new PlateauOptions(2, Factor: 0.5, Cooldown: 1) };
        var history = Trainer.Fit(network, train, validation, options);
        // Epochs 2, 3 without improvement → lr halves after epoch 3; cooldown epoch 4; epochs 5, 6 → halves after 6.
        Assert.Equal([0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125], history.Epochs.Select(e => Math.Round(e.LearningRate, 6)));
        Assert.Equal(2, history.Events.Count);
    }
}
