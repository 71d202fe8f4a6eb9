using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// The tensors for one run of a model, named after the model's inputs, with a label that says where they came from
/// (<c>test_data_set_0</c>, <c>fashion-mnist:test images 0-63</c>, <c>random samples 0-3 (seed 0)</c>) so a report
/// can point at the run that failed.
/// </summary>
public sealed record InputFeed(string Label, IReadOnlyList<TensorData> Tensors)
{
    /// <summary>
    /// The fraction (0..1] of the source's data fed once this feed has run, for progress displays; null when the
    /// source cannot tell in advance how much data it holds.
    /// </summary>
    public double? Completed { get; init; }

    /// <summary>The tensor fed to the input called <paramref name="name"/>, or null.</summary>
    public TensorData? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);
}

/// <summary>
/// Where the inputs of a verification or a run come from. A source sees the model's input metadata (names, element
/// types, shapes with symbolic dimensions) and yields one <see cref="InputFeed"/> per run, lazily, so a data set of
/// any size streams through in batches.
/// </summary>
public interface IInputSource
{
    /// <summary>One line for reports: <c>random 4 samples (seed 0)</c>, <c>models/x/test_data_set_*</c>, ...</summary>
    string Description { get; }

    /// <summary>The feeds for a model with these inputs (initializers excluded, as ONNX Runtime lists them).</summary>
    /// <exception cref="InputMismatchException">The data does not fit the model's inputs.</exception>
    IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs);
}

/// <summary>
/// One model input as the input sources see it: name, element type and dimensions, where a dimension is null when it
/// is symbolic or unknown (its symbol, such as <c>N</c>, in <see cref="Symbols"/>).
/// </summary>
public sealed record InputSignature(string Name, OnnxDataType ElementType, IReadOnlyList<long?> Dims, IReadOnlyList<string> Symbols)
{
    /// <summary>The number of dimensions.</summary>
    public int Rank => Dims.Count;

    /// <summary>The shape as text: <c>[N,1,28,28]</c>.</summary>
    public string ShapeText => "[" + string.Join(",", Dims.Select((d, i) => d?.ToString() ?? (Symbols[i] is { Length: > 0 } s ? s : "?"))) + "]";

    /// <summary>Describes an ONNX Runtime session input (dimensions of -1 are symbolic or unknown).</summary>
    public static InputSignature From(Sessions.SessionPort input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dims = input.Shape.Select(d => d >= 0 ? d : (long?)null).ToArray();
        var symbols = input.Shape.Select((_, i) => i < input.SymbolicDimensions.Count ? input.SymbolicDimensions[i] : "").ToArray();
        return new InputSignature(input.Name, input.ElementType, dims, symbols);
    }
}

/// <summary>
/// The data does not fit the model: an input named that the model does not have, a tensor whose shape or type the
/// model rejects, images that cannot be reshaped to the model's input. <see cref="Remedy"/> says what the caller can
/// give instead, so a front end can name its own option for it.
/// </summary>
public sealed class InputMismatchException(string message, InputRemedy remedy = InputRemedy.None) : Exception(message)
{
    /// <summary>What would make the inputs fit, or <see cref="InputRemedy.None"/>.</summary>
    public InputRemedy Remedy { get; } = remedy;
}

/// <summary>What a caller can give to make the inputs fit the model.</summary>
public enum InputRemedy
{
    /// <summary>Nothing the caller gives would help (or nothing specific).</summary>
    None,

    /// <summary>An explicit shape for an input (symbolic dimensions, a consistent batch).</summary>
    Shape,

    /// <summary>The input's values from a tensor file.</summary>
    TensorFile,

    /// <summary>Another batch size, the one the given data holds.</summary>
    BatchSize,
}
