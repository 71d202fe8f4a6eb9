using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// An ONNX model in memory: the parsed message (every field, known or not, survives a load/save round trip), its
/// main graph as an editable IR, and the external data it was read with.
/// </summary>
public sealed partial class OnnxModel
{
    private OnnxModel(ModelProto proto, string? sourcePath, ExternalDataReader? externalData)
    {
        Proto = proto;
        SourcePath = sourcePath is null ? null : Path.GetFullPath(sourcePath);
        ExternalFilesRead = externalData?.FilesRead ?? [];
        Graph = new Graph(proto.Graph, sourcePath, externalData);
    }

    internal ModelProto Proto { get; }

    /// <summary>The file the model was loaded from (full path), or null for a model loaded from memory.</summary>
    public string? SourcePath { get; }

    /// <summary>Full paths of the external data files the model was read with.</summary>
    internal IReadOnlySet<string> ExternalFilesRead { get; }

    /// <summary>The main graph, editable in place; <see cref="Save(string, ModelSaveOptions?)"/> writes its edits.</summary>
    public Graph Graph { get; }

    /// <summary>
    /// The ONNX IR version the model declares (3 up to ONNX 1.3, 4 from ONNX 1.4, ...). A fold may raise it when an
    /// edit needs a newer IR's rules (<see cref="FoldOptions.FreezeInitializerInputs"/>); it never lowers it.
    /// </summary>
    public long IrVersion => Proto.IrVersion;

    /// <summary>
    /// True for IR versions 1 to 3, which had to list every initializer as a graph input: ONNX Runtime runs such
    /// inputs as the constants they are, and so does a fold (<see cref="Graph.FreezeInitializerInputs"/>).
    /// </summary>
    public bool InitializerInputsAreConstants => IrVersion is > 0 and < 4;

    /// <summary>Raises the IR version to <paramref name="version"/> if it is lower (never lowers it).</summary>
    internal void RequireIrVersion(long version)
    {
        if (Proto.IrVersion < version)
            Proto.IrVersion = version;
    }

    /// <summary>The tool that wrote the model (e.g. "pytorch", "tf2onnx"), or empty when not recorded.</summary>
    public string ProducerName => Proto.ProducerName ?? "";

    /// <summary>That tool's version string as it recorded it, or empty.</summary>
    public string ProducerVersion => Proto.ProducerVersion ?? "";

    /// <summary>The model's free-text documentation (ModelProto.doc_string); setting it changes what a save writes.</summary>
    public string DocString
    {
        get => Proto.DocString ?? "";
        set => Proto.DocString = value;
    }

    /// <summary>The operator sets the model imports, as (domain, version) with "" for the default ONNX domain.</summary>
    public IReadOnlyList<(string Domain, long Version)> OpsetImports =>
        Proto.OpsetImport.Select(o => (o.Domain ?? "", o.Version)).ToArray();

    /// <summary>The version of <paramref name="domain"/> the model imports ("" and "ai.onnx" are the same), or 0.</summary>
    public long OpsetVersion(string domain = "")
    {
        bool isDefault = domain is "" or "ai.onnx";
        foreach (var o in Proto.OpsetImport)
            if ((isDefault && (o.Domain ?? "") is "" or "ai.onnx") || (!isDefault && o.Domain == domain))
                return o.Version;
        return 0;
    }

    /// <summary>metadata_props as a read-only list of pairs (in file order).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata =>
        Proto.MetadataProps.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToArray();

    /// <summary>Sets (or adds) one metadata_props entry.</summary>
    public void SetMetadata(string key, string value)
    {
        var entry = Proto.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (entry is null) Proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        else entry.Value = value;
    }

    /// <summary>The file name for messages: the source path, or a placeholder for in-memory models.</summary>
    public string DisplayName => SourcePath ?? "<in-memory model>";

    /// <summary>A deep, independent copy (tensor payloads are immutable and shared, external placement kept).</summary>
    public OnnxModel Clone()
    {
        // Snapshot shares the live NodeProto objects (enough for serializing); a clone must own its nodes, or
        // editing the clone would edit this model too.
        // The clone's graph takes this graph's tensors by name, so the snapshot needs no payloads (and must not
        // compute deferred ones).
        var snapshot = Snapshot(t => TensorProtoCodec.EncodeInlineHeader(t) ?? TensorProtoCodec.EncodeInline(t));
        for (int i = 0; i < snapshot.Graph.Node.Count; i++)
            snapshot.Graph.Node[i] = snapshot.Graph.Node[i].Clone();
        return new OnnxModel(snapshot, SourcePath, ExternalFilesRead, Graph);
    }

    private OnnxModel(ModelProto snapshot, string? sourcePath, IReadOnlySet<string> filesRead, Graph source)
    {
        Proto = snapshot;
        SourcePath = sourcePath;
        ExternalFilesRead = filesRead;
        Graph = new Graph(snapshot.Graph, sourcePath, t => source.Initializer(t.Name)!) { ExternalData = source.ExternalData };
    }

    /// <summary>The current model as a fresh message with every tensor inline (for sessions and byte output).</summary>
    internal ModelProto Snapshot(Func<TensorData, TensorProto>? encode = null)
    {
        Graph.Flush();
        var copy = Proto.Clone();
        Graph.WriteTo(copy.Graph, encode ?? TensorProtoCodec.EncodeInline);
        return copy;
    }

    /// <summary>The model serialized with every tensor inline (what ONNX Runtime's CreateSessionFromArray takes).</summary>
    public byte[] ToBytes()
    {
        var spliced = SplicedModel.Create(this);
        if (spliced.Length > Array.MaxLength)
            throw new OnnxModelException(SourcePath, "the model is larger than 2 GiB and cannot be serialized inline; save it with external data");
        // Written straight into an array of the exact size: deferred weights are computed into it, never kept.
        var bytes = GC.AllocateUninitializedArray<byte>((int)spliced.Length);
        using (var writer = new PayloadWriter(new MemoryStream(bytes, writable: true)))
        {
            spliced.WriteTo(writer);
            writer.Flush();
        }
        return bytes;
    }
}
