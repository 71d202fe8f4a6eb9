using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>How a <see cref="TransferLearning.Train"/> call may be steered from outside: resume, cancellation.</summary>
public sealed record TransferRun
{
    /// <summary>A checkpoint to continue from (see <see cref="TransferCheckpoint.Load"/>).</summary>
    public TransferCheckpoint? Resume { get; init; }

    /// <summary>Stops training between two mini-batches, keeping the best weights so far (Ctrl-C in the CLI).</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>The two training phases, with checkpoints, resume and interruption.</summary>
public sealed partial class TransferLearning
{
    /// <summary>The phase label of training the head on frozen features.</summary>
    public const string FrozenPhase = "frozen";

    /// <summary>The phase label of fine-tuning the unfrozen base layers with the head.</summary>
    public const string FineTunePhase = "fine-tune";

    /// <summary>
    /// Trains the head on frozen features, then (with <see cref="TransferOptions.Unfreeze"/>) the unfrozen layers and
    /// the head together at the fine-tuning rate. Returns both phases' epochs. With
    /// <see cref="TransferOptions.CheckpointDirectory"/>, model B is written after every epoch (<c>last.onnx</c>) and
    /// whenever the monitored loss improves (<c>best.onnx</c>), with <c>checkpoint.json</c> to resume from.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint to resume from was made with another model, head or optimizer.</exception>
    public TrainingHistory Train(Network network, LabeledData train, LabeledData validation, Action<string>? log = null,
        Action<EpochRecord>? onEpoch = null, TransferRun? run = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        run ??= new TransferRun();
        var fingerprint = Fingerprint(network, train.FeatureSize);
        var resume = run.Resume;
        if (resume is not null && resume.Fingerprint != fingerprint)
            throw new CheckpointMismatchException($"The checkpoint was made for {resume.Fingerprint}; this run is {fingerprint}.");
        var history = resume?.History() ?? new TrainingHistory();
        var k = Unfrozen.Count;
        var fineTuning = k > 0 && Options.FineTune.Epochs > 0;

        if (resume is null || resume.State.Phase == FrozenPhase)
        {
            log?.Invoke($"Training the head on frozen features ({train.Count} train, {validation.Count} validation examples)");
            // While the base layers are frozen their outputs never change: compute them once and train the head alone.
            var head = k == 0 ? network : new Network(network.Layers.Skip(k).ToArray(), network.Loss);
            var phase = Trainer.Fit(head, ForwardPrefix(network, k, train), ForwardPrefix(network, k, validation),
                Options.Training, FrozenPhase, Hooks(network, history, fingerprint, FrozenPhase, resume, run, log, onEpoch));
            history.Append(phase);
        }
        if (fineTuning && history.Interruption is null)
        {
            foreach (var layer in network.Layers.Take(k))
                layer.Trainable = true;
            log?.Invoke($"Fine-tuning the last {k} dense layer(s) of the base with the head (lr {Options.FineTune.LearningRate:g})");
            var fineTuneResume = resume?.State.Phase == FineTunePhase ? resume : null;
            history.Append(Trainer.Fit(network, train, validation, Options.FineTune, FineTunePhase,
                Hooks(network, history, fingerprint, FineTunePhase, fineTuneResume, run, log, onEpoch)));
        }
        return history;
    }

    private FitHooks Hooks(Network network, TrainingHistory before, string fingerprint, string phase, TransferCheckpoint? resume,
        TransferRun run, Action<string>? log, Action<EpochRecord>? onEpoch)
    {
        var phaseEpochs = new List<EpochRecord>();
        return new FitHooks
        {
            OnEpoch = record =>
            {
                phaseEpochs.Add(record);
                onEpoch?.Invoke(record);
            },
            Log = log,
            Resume = resume?.State.Phase == phase ? resume.State : null,
            Cancellation = run.Cancellation,
            OnCheckpoint = Options.CheckpointDirectory is not { } directory ? null : (record, state, _) =>
            {
                var sofar = new TrainingHistory();
                sofar.Append(before);
                foreach (var epoch in phaseEpochs)
                    sofar.Add(epoch);
                Directory.CreateDirectory(directory);
                var modelB = Export(network, sofar);
                modelB.Save(Path.Combine(directory, TransferCheckpoint.LastModelFile));
                // Best over the whole run, not per phase: a fine-tuning epoch worse than the frozen phase's best keeps best.onnx.
                if (sofar.Epochs.Take(sofar.Epochs.Count - 1).All(e => Monitored(record) < Monitored(e)))
                    modelB.Save(Path.Combine(directory, TransferCheckpoint.BestModelFile));
                TransferCheckpoint.Save(Path.Combine(directory, TransferCheckpoint.StateFile), new TransferCheckpoint(fingerprint, state, sofar));
            },
        };
    }

    /// <summary>What checkpoints compare: val_loss, or the training loss without validation data.</summary>
    private static double Monitored(EpochRecord record) => double.IsNaN(record.ValidationLoss) ? record.Loss : record.ValidationLoss;

    /// <summary>What a checkpoint must match to be resumed by this run: cut, unfrozen layers, head, classes, optimizers.</summary>
    private string Fingerprint(Network network, int featureSize) =>
        $"cut '{CutTensor}', {featureSize} features, unfrozen [{string.Join(", ", Unfrozen.Select(l => l.Name))}], " +
        $"layers [{string.Join(", ", network.Layers.Select(l => l.Describe()))}], {network.Loss}, " +
        $"optimizers {Options.Training.Optimizer}/{Options.FineTune.Optimizer}";
}
