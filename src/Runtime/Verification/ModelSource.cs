using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>A model to verify: a file, serialized bytes or an in-memory <see cref="OnnxModel"/>, with a label for reports.</summary>
public sealed class ModelSource
{
    private readonly Func<SessionSettings, ModelSession> _open;
    private readonly Func<OnnxModel> _load;

    private ModelSource(string label, Func<SessionSettings, ModelSession> open, Func<OnnxModel> load)
    {
        Label = label;
        _open = open;
        _load = load;
    }

    /// <summary>The file path, or the label given for an in-memory model.</summary>
    public string Label { get; }

    /// <summary>A model file (ONNX Runtime reads it, with any external data next to it).</summary>
    public static ModelSource FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new ModelSource(path, settings => ModelSession.Open(path, settings), () => OnnxModel.Load(path));
    }

    /// <summary>A serialized model.</summary>
    public static ModelSource FromBytes(byte[] model, string label = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelSource(label, settings => ModelSession.Open(model, settings, label), () => OnnxModel.FromBytes(model));
    }

    /// <summary>An in-memory model, serialized now (later edits to <paramref name="model"/> are not seen).</summary>
    public static ModelSource FromModel(OnnxModel model, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FromBytes(model.ToBytes(), label ?? model.SourcePath ?? "<memory>");
    }

    /// <summary>Creates the session; a model ONNX Runtime cannot load becomes a <see cref="ModelLoadException"/>.</summary>
    internal ModelSession Open(SessionSettings settings, string role)
    {
        try
        {
            return _open(settings);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or FileNotFoundException)
        {
            throw new ModelLoadException(role, Label, ex);
        }
    }

    /// <summary>Reads the model into our IR (for the layer comparison, which edits a copy and walks the graph).</summary>
    internal OnnxModel Load() => _load();

    /// <inheritdoc />
    public override string ToString() => Label;
}

/// <summary>
/// ONNX Runtime could not load one of the models being compared. <see cref="IsInvalidModel"/> tells an unreadable or
/// unsupported model (missing file, bad protobuf, invalid graph, unknown operator) from other runtime failures.
/// </summary>
public sealed class ModelLoadException(string role, string label, Exception inner)
    : Exception($"cannot load the {role} model {label}: {inner.Message}", inner)
{
    /// <summary><c>original</c> or <c>candidate</c>.</summary>
    public string Role { get; } = role;

    /// <summary>The model's path or label.</summary>
    public string Label { get; } = label;

    /// <summary>True when the model itself is at fault rather than the runtime or the machine.</summary>
    public bool IsInvalidModel => InnerException switch
    {
        FileNotFoundException => true,
        OnnxRuntimeException ort => OrtErrors.CodeOf(ort) is OrtErrorCode.NoSuchFile or OrtErrorCode.NoModel or OrtErrorCode.InvalidProtobuf
            or OrtErrorCode.InvalidGraph or OrtErrorCode.NotImplemented,
        _ => false,
    };

    /// <summary>True when the model is valid but ONNX Runtime has no kernel for one of its operators and types.</summary>
    public bool IsUnsupportedModel => InnerException is OnnxRuntimeException ort && OrtErrors.CodeOf(ort) == OrtErrorCode.NotImplemented;
}

/// <summary>Thrown by <see cref="EquivalenceReport.AssertEquivalent"/>; the message pinpoints output, index and values.</summary>
public sealed class EquivalenceException(EquivalenceReport report) : Exception(report.FailureMessage)
{
    /// <summary>The full report.</summary>
    public EquivalenceReport Report { get; } = report;
}
