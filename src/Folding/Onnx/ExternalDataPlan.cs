using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Decides, for one save, which tensors go to which external file and at which offset. File names come from
/// <see cref="DataFileNames"/> (never from the input). Under the Keep layout the tensors read from one input data
/// file go to one output data file, an untouched tensor at its old offset (so the file's bytes can stay as they
/// were); new or changed tensors are appended after the last kept byte.
/// </summary>
internal sealed class ExternalDataPlan
{
    private const int Alignment = 64;
    private readonly Dictionary<TensorData, ExternalPlacement> _placements = new(ReferenceEqualityComparer.Instance);

    private ExternalDataPlan(List<ExternalFile> files) => Files = files;

    public IReadOnlyList<ExternalFile> Files { get; }

    /// <summary>The message for a tensor this plan sends to an external file, or null for a tensor that stays inline.</summary>
    public TensorProto? EncodeExternal(TensorData tensor) =>
        _placements.TryGetValue(tensor, out var placement) ? TensorProtoCodec.EncodeExternal(tensor, placement) : null;

    /// <param name="model">The model being saved.</param>
    /// <param name="options">The layout.</param>
    /// <param name="names">Where file names come from.</param>
    /// <param name="avoid">Full paths no new data file may take (the files the model was read from).</param>
    public static ExternalDataPlan Create(OnnxModel model, ModelSaveOptions options, DataFileNames names, IReadOnlySet<string> avoid)
    {
        // Grouped by the input file each tensor came from ("" for tensors that had none).
        var bySource = new Dictionary<string, List<TensorData>>(StringComparer.Ordinal);
        foreach (var tensor in model.Graph.Initializers)
        {
            if (!GoesExternal(tensor, options)) continue;
            string source = options.Layout == ExternalDataLayout.Keep ? tensor.Placement?.Location ?? "" : "";
            if (!bySource.TryGetValue(source, out var list))
                bySource[source] = list = [];
            list.Add(tensor);
        }

        var files = new List<ExternalFile>();
        var plan = new ExternalDataPlan(files);
        foreach (var (source, tensors) in bySource)
            files.Add(plan.Place(names.NextFree(avoid), source, tensors));
        return plan;
    }

    private static bool GoesExternal(TensorData tensor, ModelSaveOptions options) => options.Layout switch
    {
        ExternalDataLayout.Keep => tensor.Placement is not null,
        ExternalDataLayout.ExternalizeLarge => tensor.ElementType != OnnxDataType.String
            && tensor.PayloadLength >= options.ExternalThresholdBytes,
        _ => false,
    };

    private ExternalFile Place(string location, string source, List<TensorData> tensors)
    {
        var file = new ExternalFile(location);
        long end = 0;
        var kept = new List<(long Start, long End)>();
        foreach (var t in tensors)
        {
            if (source.Length > 0 && t.Placement is { Offset: >= 0 } p && p.Location == source && p.Length == t.PayloadLength
                && !kept.Any(k => p.Offset < k.End && k.Start < p.Offset + p.Length))
            {
                kept.Add((p.Offset, p.Offset + p.Length));
                Add(file, t, p with { Location = location });
                end = Math.Max(end, p.Offset + p.Length);
            }
        }
        foreach (var t in tensors.Where(t => !_placements.ContainsKey(t)))
        {
            end = (end + Alignment - 1) / Alignment * Alignment;
            Add(file, t, new ExternalPlacement(location, end, t.PayloadLength));
            end += t.PayloadLength;
        }
        return file;
    }

    private void Add(ExternalFile file, TensorData tensor, ExternalPlacement placement)
    {
        _placements[tensor] = placement;
        file.Entries.Add((tensor, placement.Offset));
    }
}

/// <summary>One external data file to be written: tensors at their offsets, zero-filled gaps.</summary>
internal sealed class ExternalFile(string location)
{
    public string Location { get; } = location;

    public List<(TensorData Tensor, long Offset)> Entries { get; } = [];

    /// <summary>Writes the file to <paramref name="temp"/>, which must not exist yet, and makes it durable.</summary>
    public void WriteTo(string temp)
    {
        // Each large payload goes to the OS straight from the tensor's memory (or, when deferred, computed in pieces).
        using var stream = DurableFileStream.CreateNew(temp);
        using var writer = new PayloadWriter(stream);
        foreach (var (tensor, offset) in Entries.OrderBy(e => e.Offset))
        {
            writer.Flush(); // the gap before this tensor is filled on the stream itself
            stream.ExtendTo(offset);
            writer.WritePayload(tensor);
        }
        writer.Flush();
        stream.Commit();
    }
}
