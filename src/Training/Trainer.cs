using System.Diagnostics;
using OnnxBn.Runtime;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>
/// The mini-batch training loop: per epoch a seeded shuffle, batches gathered into one reused buffer, gradients (with
/// class weights and regularization terms), clipping, an optimizer step at the scheduled rate; then validation and the
/// callbacks Keras users reach for: early stopping and ReduceLROnPlateau on val_loss, checkpoints. With
/// restore-best-weights the weights of the best epoch are put back when training stops early and also when it runs to
/// the end past its best epoch. Single-threaded; shuffling and dropout are seeded per epoch, so a given seed gives the
/// same weights bit for bit, also after resuming from a checkpoint.
/// </summary>
public static class Trainer
{
    /// <summary>Trains the trainable layers of <paramref name="network"/> and returns the epochs' metrics.</summary>
    /// <param name="network">The network (its trainable layers are updated in place).</param>
    /// <param name="train">Training examples (features of the network's input size).</param>
    /// <param name="validation">Validation examples, or null/empty for none.</param>
    /// <param name="options">Epochs, batch size, optimizer, schedule, clipping, callbacks, seed.</param>
    /// <param name="phase">A label recorded with each epoch ("frozen", "fine-tune").</param>
    /// <param name="onEpoch">Called after each epoch (for the progress lines).</param>
    /// <exception cref="ArgumentException">The data's feature size differs from the network's input size, or the set is empty.</exception>
    public static TrainingHistory Fit(Network network, LabeledData train, LabeledData? validation, TrainingOptions options,
        string phase = "train", Action<EpochRecord>? onEpoch = null) =>
        Fit(network, train, validation, options, phase, new FitHooks { OnEpoch = onEpoch });

    /// <summary>Trains with <paramref name="hooks"/> (callbacks, checkpoints, resume, cancellation).</summary>
    /// <exception cref="ArgumentException">
    /// The data does not fit the network; early stopping or ReduceLROnPlateau without validation data; class weights
    /// for fewer classes than the labels; a resume state of another phase or network.
    /// </exception>
    public static TrainingHistory Fit(Network network, LabeledData train, LabeledData? validation, TrainingOptions options,
        string phase, FitHooks hooks)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hooks);
        options.Validate();
        if (train.FeatureSize != network.InputSize)
            throw new ArgumentException($"The data has {train.FeatureSize} features but the network takes {network.InputSize}.", nameof(train));
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(train));
        if (validation is { Count: 0 })
            validation = null;
        if (validation is null && (options.Patience > 0 || options.Plateau is not null))
            throw new ArgumentException("Early stopping and ReduceLROnPlateau monitor val_loss, but there is no validation data.", nameof(validation));
        var classWeights = ClassWeights(options, network, train);

        var parameters = network.TrainableParameters();
        var optimizer = options.CreateOptimizer();
        var batchSize = Math.Min(options.BatchSize, train.Count);
        var stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var schedule = options.CreateSchedule((long)stepsPerEpoch * options.Epochs);
        var order = new int[train.Count];
        var batchFeatures = new float[batchSize * train.FeatureSize];
        var batchLabels = new int[batchSize];
        var history = new TrainingHistory();
        var loop = LoopState.Start(hooks.Resume, phase, network, optimizer, parameters.Count);
        if (options.Patience > 0 && loop.Waited >= options.Patience)
        {
            // Resumed from the checkpoint of the epoch that stopped training early: finish as that run did.
            history.EarlyStops[phase] = loop.BestEpoch;
            if (options.RestoreBestWeights && loop.BestWeights is not null)
            {
                network.RestoreWeights(loop.BestWeights);
                history.RestoredEpochs[phase] = loop.BestEpoch;
            }
            return history;
        }

        for (var epoch = loop.Epoch + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < order.Length; i++)
                order[i] = i;
            new SeededRandom(EpochSeed(options.Seed, epoch, 0)).Shuffle(order.AsSpan());
            network.Reseed(EpochSeed(options.Seed, epoch, 1));
            double lossSum = 0;
            var correct = 0;
            var rate = 0f;
            var seen = 0;
            for (var start = 0; start < train.Count; start += batchSize)
            {
                if (hooks.Cancellation.IsCancellationRequested)
                {
                    Interrupt(history, network, loop, phase, epoch, seen);
                    return history;
                }
                var n = Math.Min(batchSize, train.Count - start);
                Gather(train, order.AsSpan(start, n), batchFeatures, batchLabels);
                var (loss, right) = network.ComputeGradients(batchFeatures.AsSpan(0, n * train.FeatureSize), batchLabels.AsSpan(0, n), n, classWeights);
                // Keras reports the mean data loss plus the regularization terms, averaged over the epoch's batches.
                lossSum += loss + n * network.Penalty();
                correct += right;
                seen += n;
                options.Clipping.Apply(parameters);
                rate = (float)(schedule.Rate(loop.Step++) * loop.LearningRateScale);
                optimizer.Step(parameters, rate);
            }
            var (validationLoss, validationAccuracy) = validation is null ? (double.NaN, double.NaN) : network.Evaluate(validation);
            var record = new EpochRecord(phase, epoch, options.Epochs, lossSum / train.Count, (double)correct / train.Count,
                validationLoss, validationAccuracy, rate, clock.Elapsed.TotalSeconds);
            history.Add(record);
            hooks.OnEpoch?.Invoke(record);

            var monitored = validation is null ? record.Loss : validationLoss;
            var improved = monitored < loop.Best;
            if (improved)
            {
                loop.Best = monitored;
                loop.BestEpoch = epoch;
                loop.Waited = 0;
                loop.BestWeights = network.SnapshotWeights();
            }
            else
            {
                loop.Waited++;
            }
            if (options.Plateau is { } plateau)
                ReduceOnPlateau(plateau, loop, validationLoss, schedule.Rate(Math.Max(0, loop.Step - 1)), epoch, history, hooks.Log);
            loop.Epoch = epoch;
            hooks.OnCheckpoint?.Invoke(record, loop.ToState(phase, network, optimizer, parameters.Count), improved);

            if (options.Patience > 0 && loop.Waited >= options.Patience)
            {
                history.EarlyStops[phase] = loop.BestEpoch;
                if (options.RestoreBestWeights && loop.BestWeights is not null)
                {
                    network.RestoreWeights(loop.BestWeights);
                    history.RestoredEpochs[phase] = loop.BestEpoch;
                }
                hooks.Log?.Invoke($"Early stopping in phase {phase} at epoch {epoch}: restored the weights of epoch {loop.BestEpoch}");
                return history;
            }
        }
        if (options.Patience > 0 && options.RestoreBestWeights && loop.BestWeights is not null && loop.BestEpoch < loop.Epoch)
        {
            network.RestoreWeights(loop.BestWeights);
            history.RestoredEpochs[phase] = loop.BestEpoch;
        }
        return history;
    }

    /// <summary>A seed per (training seed, epoch, stream) so that an epoch's randomness does not depend on earlier epochs.</summary>
    internal static ulong EpochSeed(ulong seed, int epoch, int stream) =>
        unchecked(seed ^ ((ulong)epoch * 0x9E3779B97F4A7C15UL) ^ ((ulong)(stream + 1) * 0xC2B2AE3D27D4EB4FUL));

    private static float[] ClassWeights(TrainingOptions options, Network network, LabeledData train)
    {
        if (options.ClassWeights is not { } weights)
            return [];
        var classes = network.Loss == HeadLoss.BinaryCrossEntropy ? 2 : network.OutputSize;
        if (weights.Count != classes)
            throw new ArgumentException($"{weights.Count} class weights for {classes} classes.", nameof(options));
        return weights.ToArray();
    }

    private static void ReduceOnPlateau(PlateauOptions plateau, LoopState loop, double validationLoss, float scheduledRate, int epoch,
        TrainingHistory history, Action<string>? log)
    {
        // Keras' order: count down the cooldown (which resets the wait), then compare with the best.
        var inCooldown = loop.PlateauCooldown > 0;
        if (inCooldown)
        {
            loop.PlateauCooldown--;
            loop.PlateauWait = 0;
        }
        if (validationLoss < loop.PlateauBest - plateau.MinDelta)
        {
            loop.PlateauBest = validationLoss;
            loop.PlateauWait = 0;
        }
        else if (!inCooldown && ++loop.PlateauWait >= plateau.Patience)
        {
            var old = scheduledRate * loop.LearningRateScale;
            if (old > plateau.MinLearningRate)
            {
                var reduced = Math.Max(old * plateau.Factor, plateau.MinLearningRate);
                loop.LearningRateScale = reduced / scheduledRate;
                var message = FormattableString.Invariant($"Epoch {epoch}: ReduceLROnPlateau reducing learning rate to {reduced:g4}");
                history.Events.Add(message);
                log?.Invoke(message);
            }
            loop.PlateauCooldown = plateau.Cooldown;
            loop.PlateauWait = 0;
        }
    }

    private static void Interrupt(TrainingHistory history, Network network, LoopState loop, string phase, int epoch, int seen)
    {
        if (loop.BestWeights is not null)
            network.RestoreWeights(loop.BestWeights);
        history.Interruption = new Interruption(phase, epoch, seen, loop.BestWeights is null ? null : loop.BestEpoch);
        if (loop.BestWeights is not null)
            history.RestoredEpochs[phase] = loop.BestEpoch;
    }

    private static void Gather(LabeledData data, ReadOnlySpan<int> rows, float[] features, int[] labels)
    {
        var size = data.FeatureSize;
        for (var i = 0; i < rows.Length; i++)
        {
            data.Row(rows[i]).CopyTo(features.AsSpan(i * size, size));
            labels[i] = data.Labels[rows[i]];
        }
    }

    /// <summary>The loop's counters between epochs.</summary>
    private sealed class LoopState
    {
        public int Epoch;
        public long Step;
        public double Best = double.PositiveInfinity;
        public int BestEpoch;
        public float[][]? BestWeights;
        public int Waited;
        public double PlateauBest = double.PositiveInfinity;
        public int PlateauWait;
        public int PlateauCooldown;
        public double LearningRateScale = 1;

        public static LoopState Start(TrainerState? resume, string phase, Network network, Optimizer optimizer, int slots)
        {
            var loop = new LoopState();
            if (resume is null)
                return loop;
            if (resume.Phase != phase)
                throw new ArgumentException($"The checkpoint is of phase {resume.Phase}, not {phase}.", nameof(resume));
            if (resume.OptimizerState.Length != slots)
                throw new ArgumentException($"The checkpoint's optimizer has {resume.OptimizerState.Length} parameter slots; this network has {slots}.", nameof(resume));
            network.RestoreWeights(resume.Weights);
            optimizer.LoadState(resume.OptimizerIterations, resume.OptimizerState);
            loop.Epoch = resume.Epoch;
            loop.Step = resume.Step;
            loop.Best = resume.Best;
            loop.BestEpoch = resume.BestEpoch;
            loop.BestWeights = resume.BestWeights;
            loop.Waited = resume.Waited;
            loop.PlateauBest = resume.PlateauBest;
            loop.PlateauWait = resume.PlateauWait;
            loop.PlateauCooldown = resume.PlateauCooldown;
            loop.LearningRateScale = resume.LearningRateScale;
            return loop;
        }

        public TrainerState ToState(string phase, Network network, Optimizer optimizer, int slots) => new()
        {
            Phase = phase,
            Epoch = Epoch,
            Step = Step,
            OptimizerIterations = optimizer.Iterations,
            OptimizerState = optimizer.SaveState(slots),
            Weights = network.SnapshotWeights(),
            Best = Best,
            BestEpoch = BestEpoch,
            BestWeights = BestWeights,
            Waited = Waited,
            PlateauBest = PlateauBest,
            PlateauWait = PlateauWait,
            PlateauCooldown = PlateauCooldown,
            LearningRateScale = LearningRateScale,
        };
    }
}
