using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnnxBn.Training;

/// <summary>
/// One epoch's metrics. <see cref="Loss"/> and <see cref="Accuracy"/> are averaged over the epoch's mini-batches as
/// they were trained (as Keras reports them); the validation metrics are computed after the epoch (NaN without a
/// validation set).
/// </summary>
public sealed record EpochRecord(
    string Phase,
    int Epoch,
    int Epochs,
    double Loss,
    double Accuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double LearningRate,
    double Seconds)
{
    /// <summary>The Keras-like progress line: <c>Epoch 3/16 - loss: 0.1234 - accuracy: 0.9500 - val_loss: ... - val_accuracy: ...</c>.</summary>
    public string ToKerasLine()
    {
        var line = new StringBuilder(FormattableString.Invariant($"Epoch {Epoch}/{Epochs} - {Seconds:0.000}s - loss: {Loss:0.0000} - accuracy: {Accuracy:0.0000}"));
        if (!double.IsNaN(ValidationLoss))
            line.Append(CultureInfo.InvariantCulture, $" - val_loss: {ValidationLoss:0.0000} - val_accuracy: {ValidationAccuracy:0.0000}");
        line.Append(CultureInfo.InvariantCulture, $" - lr: {LearningRate:0.######}");
        return line.ToString();
    }
}

/// <summary>Where training stopped when it was interrupted (Ctrl-C, SIGTERM, a cancelled token).</summary>
/// <param name="Phase">The phase that was running.</param>
/// <param name="Epoch">The epoch that was running (not completed).</param>
/// <param name="ExamplesSeen">Training examples of that epoch already stepped on.</param>
/// <param name="RestoredEpoch">The epoch whose weights were put back (the best so far), or null when none had completed.</param>
public sealed record Interruption(string Phase, int Epoch, int ExamplesSeen, int? RestoredEpoch)
{
    /// <summary>One line for the log.</summary>
    public string Describe() =>
        $"Interrupted in phase {Phase} during epoch {Epoch} ({ExamplesSeen} examples in): " +
        (RestoredEpoch is { } e ? $"restored the weights of epoch {e}, the best so far" : "no epoch had completed; keeping the current weights");
}

/// <summary>The epochs of one or more training phases (frozen base, then fine-tuning), with CSV and JSON writers.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochRecord> _epochs = [];

    /// <summary>Every epoch, in training order.</summary>
    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>Phases in which early stopping ended training, with the epoch whose weights were kept.</summary>
    public IDictionary<string, int> EarlyStops { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Phases whose final weights were put back from an earlier epoch (early stopping, restore-best-weights, interruption).</summary>
    public IDictionary<string, int> RestoredEpochs { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Callback messages in order (ReduceLROnPlateau's reductions).</summary>
    public IList<string> Events { get; } = new List<string>();

    /// <summary>Set when training was interrupted; null when every phase ran to its end or stopped early.</summary>
    public Interruption? Interruption { get; set; }

    /// <summary>Appends an epoch.</summary>
    public void Add(EpochRecord record) => _epochs.Add(record);

    /// <summary>Appends the epochs of another history (the next phase).</summary>
    public void Append(TrainingHistory other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _epochs.AddRange(other.Epochs);
        foreach (var (phase, epoch) in other.EarlyStops)
            EarlyStops[phase] = epoch;
        foreach (var (phase, epoch) in other.RestoredEpochs)
            RestoredEpochs[phase] = epoch;
        foreach (var message in other.Events)
            Events.Add(message);
        Interruption ??= other.Interruption;
    }

    /// <summary>The last epoch, or null before training.</summary>
    public EpochRecord? Last => _epochs.Count == 0 ? null : _epochs[^1];

    /// <summary>CSV with a header: step (1-based over all phases), phase, epoch, loss, accuracy, val_loss, val_accuracy, lr, seconds.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("step,phase,epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n");
        for (var i = 0; i < _epochs.Count; i++)
        {
            var e = _epochs[i];
            csv.Append(CultureInfo.InvariantCulture,
                $"{i + 1},{e.Phase},{e.Epoch},{R(e.Loss)},{R(e.Accuracy)},{R(e.ValidationLoss)},{R(e.ValidationAccuracy)},{R(e.LearningRate)},{R(e.Seconds)}\n");
        }
        return csv.ToString();
    }

    /// <summary>JSON in the shape of Keras' <c>history.history</c> (one array per metric) plus phases and early stops.</summary>
    public string ToJson()
    {
        var document = new Dictionary<string, object?>
        {
            ["phase"] = _epochs.Select(e => e.Phase).ToArray(),
            ["epoch"] = _epochs.Select(e => e.Epoch).ToArray(),
            ["loss"] = _epochs.Select(e => J(e.Loss)).ToArray(),
            ["accuracy"] = _epochs.Select(e => J(e.Accuracy)).ToArray(),
            ["val_loss"] = _epochs.Select(e => J(e.ValidationLoss)).ToArray(),
            ["val_accuracy"] = _epochs.Select(e => J(e.ValidationAccuracy)).ToArray(),
            ["lr"] = _epochs.Select(e => J(e.LearningRate)).ToArray(),
            ["early_stops"] = EarlyStops,
            ["restored_epochs"] = RestoredEpochs,
            ["events"] = Events,
            ["interrupted"] = Interruption,
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true });
    }

    private static string R(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    private static double? J(double value) => double.IsNaN(value) ? null : value;
}
