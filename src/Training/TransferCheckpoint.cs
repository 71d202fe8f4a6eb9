using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxBn.Training;

/// <summary>A checkpoint does not belong to this run (another model, head or optimizer); the message says what differs.</summary>
public sealed class CheckpointMismatchException(string message) : Exception(message);

/// <summary>
/// What <c>checkpoint.json</c> holds next to <c>best.onnx</c> and <c>last.onnx</c>: the training state after the last
/// completed epoch (tensors as base64 of little-endian float32, so a resumed run continues bit for bit), the history so
/// far, and a fingerprint of the configuration it belongs to.
/// </summary>
public sealed class TransferCheckpoint(string fingerprint, TrainerState state, TrainingHistory history)
{
    /// <summary>Model B at the best epoch so far.</summary>
    public const string BestModelFile = "best.onnx";

    /// <summary>Model B after the last completed epoch.</summary>
    public const string LastModelFile = "last.onnx";

    /// <summary>The state to resume from.</summary>
    public const string StateFile = "checkpoint.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new FloatArrayConverter() },
    };

    /// <summary>The configuration the checkpoint belongs to.</summary>
    public string Fingerprint { get; } = fingerprint;

    /// <summary>The training loop's state.</summary>
    public TrainerState State { get; } = state;

    private readonly TrainingHistory _history = history;

    /// <summary>A copy of the history up to the checkpoint.</summary>
    public TrainingHistory History()
    {
        var copy = new TrainingHistory();
        copy.Append(_history);
        return copy;
    }

    /// <summary>Writes the checkpoint (to a temporary file first, so an interrupted write never leaves half a file).</summary>
    public static void Save(string path, TransferCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var document = new Document(checkpoint.Fingerprint, checkpoint.State, checkpoint._history.Epochs.ToList(),
            new Dictionary<string, int>(checkpoint._history.EarlyStops), new Dictionary<string, int>(checkpoint._history.RestoredEpochs),
            checkpoint._history.Events.ToList());
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a checkpoint: <paramref name="path"/> is the file or the directory holding it.</summary>
    /// <exception cref="FileNotFoundException">No checkpoint there.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint.</exception>
    public static TransferCheckpoint Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Directory.Exists(path) ? Path.Combine(path, StateFile) : path;
        if (!File.Exists(file))
            throw new FileNotFoundException($"No checkpoint at {file} (a checkpoint directory holds {StateFile}).", file);
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllText(file), Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file} is not a transfer checkpoint: {ex.Message}", ex);
        }
        if (document?.State is null || document.Fingerprint is null || document.Epochs is null)
            throw new InvalidDataException($"{file} is not a transfer checkpoint.");
        var history = new TrainingHistory();
        foreach (var epoch in document.Epochs)
            history.Add(epoch);
        foreach (var (phase, epoch) in document.EarlyStops ?? [])
            history.EarlyStops[phase] = epoch;
        foreach (var (phase, epoch) in document.RestoredEpochs ?? [])
            history.RestoredEpochs[phase] = epoch;
        foreach (var message in document.Events ?? [])
            history.Events.Add(message);
        return new TransferCheckpoint(document.Fingerprint, document.State, history);
    }

    private sealed record Document(string Fingerprint, TrainerState State, List<EpochRecord> Epochs,
        Dictionary<string, int>? EarlyStops, Dictionary<string, int>? RestoredEpochs, List<string>? Events);

    /// <summary>float[] as base64 of its bytes: exact and about a third of the size of decimal text.</summary>
    private sealed class FloatArrayConverter : JsonConverter<float[]>
    {
        public override float[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var bytes = reader.GetBytesFromBase64();
            if (bytes.Length % sizeof(float) != 0)
                throw new JsonException("A tensor's byte count is not a multiple of 4.");
            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }

        public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options) =>
            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(value.AsSpan()));
    }
}
