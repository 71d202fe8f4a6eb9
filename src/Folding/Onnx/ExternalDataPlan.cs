using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Decides, for one save, which tensors go to which external file and at which offset. Under the Keep layout an
/// untouched tensor keeps its exact location and offset (so its message is unchanged); new or changed tensors are
/// appended after the last kept byte.
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

    public static ExternalDataPlan Create(OnnxModel model, string targetPath, ModelSaveOptions options, IReadOnlySet<string> protectedFiles)
    {
        string directory = Path.GetDirectoryName(targetPath)!;
        string defaultFile = options.ExternalFileName ?? Path.GetFileName(targetPath) + ".data";
        CheckRelative(defaultFile, targetPath);
        var byLocation = new Dictionary<string, List<TensorData>>(StringComparer.Ordinal);
        foreach (var tensor in model.Graph.Initializers)
        {
            string? location = ChooseLocation(tensor, options, defaultFile);
            if (location is null) continue;
            string full = Path.GetFullPath(Path.Combine(directory, location));
            if (protectedFiles.Contains(full))
                location = Path.GetFileNameWithoutExtension(targetPath) + "." + Path.GetFileName(location);
            if (!byLocation.TryGetValue(location, out var list))
                byLocation[location] = list = [];
            list.Add(tensor);
        }

        var files = new List<ExternalFile>();
        var plan = new ExternalDataPlan(files);
        foreach (var (location, tensors) in byLocation)
            files.Add(plan.Place(location, tensors));
        return plan;
    }

    private static string? ChooseLocation(TensorData tensor, ModelSaveOptions options, string defaultFile) => options.Layout switch
    {
        ExternalDataLayout.Inline => null,
        ExternalDataLayout.Keep => tensor.Placement?.Location,
        ExternalDataLayout.ExternalizeLarge when tensor.ElementType != TensorElementType.String
            && tensor.RawBytes.Length >= options.ExternalThresholdBytes => tensor.Placement?.Location ?? defaultFile,
        _ => null,
    };

    private ExternalFile Place(string location, List<TensorData> tensors)
    {
        var file = new ExternalFile(location);
        long end = 0;
        var kept = new List<(long Start, long End)>();
        foreach (var t in tensors)
        {
            if (t.Placement is { Offset: >= 0 } p && p.Location == location && p.Length == t.RawBytes.Length
                && !kept.Any(k => p.Offset < k.End && k.Start < p.Offset + p.Length))
            {
                kept.Add((p.Offset, p.Offset + p.Length));
                Add(file, t, p);
                end = Math.Max(end, p.Offset + p.Length);
            }
        }
        foreach (var t in tensors.Where(t => !_placements.ContainsKey(t)))
        {
            end = (end + Alignment - 1) / Alignment * Alignment;
            Add(file, t, new ExternalPlacement(location, end, t.RawBytes.Length));
            end += t.RawBytes.Length;
        }
        return file;
    }

    private void Add(ExternalFile file, TensorData tensor, ExternalPlacement placement)
    {
        _placements[tensor] = placement;
        file.Entries.Add((tensor, placement.Offset));
    }

    private static void CheckRelative(string location, string targetPath)
    {
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            throw new IOException($"{targetPath}: external data file name '{location}' must be relative to the model's folder");
    }
}

/// <summary>One external data file to be written: tensors at their offsets, zero-filled gaps.</summary>
internal sealed class ExternalFile(string location)
{
    public string Location { get; } = location;

    public List<(TensorData Tensor, long Offset)> Entries { get; } = [];

    /// <summary>Writes the file under a temporary name in <paramref name="directory"/> and returns that name.</summary>
    public string WriteTemp(string directory)
    {
        string final = Path.Combine(directory, Location);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        string temp = OnnxModel.TempNameFor(final);
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
        return temp;
    }
}
