using OnnxBn.Runtime;
using System.Diagnostics;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>
/// The mini-batch training loop: per epoch a seeded shuffle, batches gathered into one reused buffer, gradients,
/// clipping, an optimizer step at the scheduled rate; then validation and early stopping on the validation loss
/// (training loss without a validation set); with restore-best-weights the weights of the best epoch are put back
/// when training stops early and also when it runs to the end past its best epoch. Single-threaded and seeded, so a given seed gives the same weights bit
/// for bit.
/// </summary>
public static class Trainer
{
    /// <summary>Trains the trainable layers of <paramref name="network"/> and returns the epochs' metrics.</summary>
    /// <param name="network">The network (its trainable layers are updated in place).</param>
    /// <param name="train">Training examples (features of the network's input size).</param>
    /// <param name="validation">Validation examples, or null/empty for none.</param>
    /// <param name="options">Epochs, batch size, optimizer, schedule, clipping, early stopping, seed.</param>
    /// <param name="phase">A label recorded with each epoch ("frozen", "fine-tune").</param>
    /// <param name="onEpoch">Called after each epoch (for the progress lines).</param>
    /// <exception cref="ArgumentException">The data's feature size differs from the network's input size, or the set is empty.</exception>
    public static TrainingHistory Fit(Network network, LabeledData train, LabeledData? validation, TrainingOptions options,
        string phase = "train", Action<EpochRecord>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.FeatureSize != network.InputSize)
            throw new ArgumentException($"The data has {train.FeatureSize} features but the network takes {network.InputSize}.", nameof(train));
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(train));
        if (validation is { Count: 0 })
            validation = null;

        var parameters = network.TrainableParameters();
        var optimizer = options.CreateOptimizer();
        var batchSize = Math.Min(options.BatchSize, train.Count);
        var stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var schedule = options.CreateSchedule((long)stepsPerEpoch * options.Epochs);
        var random = new SeededRandom(options.Seed);
        var order = new int[train.Count];
        var batchFeatures = new float[batchSize * train.FeatureSize];
        var batchLabels = new int[batchSize];
        var history = new TrainingHistory();
        var best = double.PositiveInfinity;
        float[][]? bestWeights = null;
        var bestEpoch = 0;
        var waited = 0;
        long step = 0;

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < order.Length; i++)
                order[i] = i;
            random.Shuffle(order.AsSpan());
            double lossSum = 0;
            var correct = 0;
            var rate = 0f;
            for (var start = 0; start < train.Count; start += batchSize)
            {
                var n = Math.Min(batchSize, train.Count - start);
                Gather(train, order.AsSpan(start, n), batchFeatures, batchLabels);
                var (loss, right) = network.ComputeGradients(batchFeatures.AsSpan(0, n * train.FeatureSize), batchLabels.AsSpan(0, n), n);
                lossSum += loss;
                correct += right;
                options.Clipping.Apply(parameters);
                rate = schedule.Rate(step++);
                optimizer.Step(parameters, rate);
            }
            var (validationLoss, validationAccuracy) = validation is null ? (double.NaN, double.NaN) : network.Evaluate(validation);
            var record = new EpochRecord(phase, epoch, options.Epochs, lossSum / train.Count, (double)correct / train.Count,
                validationLoss, validationAccuracy, rate, clock.Elapsed.TotalSeconds);
            history.Add(record);
            onEpoch?.Invoke(record);

            if (options.Patience <= 0)
                continue;
            var monitored = validation is null ? record.Loss : validationLoss;
            if (monitored < best)
            {
                best = monitored;
                bestEpoch = epoch;
                waited = 0;
                if (options.RestoreBestWeights)
                    bestWeights = network.SnapshotWeights();
            }
            else if (++waited >= options.Patience)
            {
                history.EarlyStops[phase] = bestEpoch;
                if (bestWeights is not null)
                    network.RestoreWeights(bestWeights);
                break;
            }
        }
        if (options.Patience > 0 && !history.EarlyStops.ContainsKey(phase) && bestWeights is not null && bestEpoch < history.Epochs.Count)
            network.RestoreWeights(bestWeights);
        return history;
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
}
