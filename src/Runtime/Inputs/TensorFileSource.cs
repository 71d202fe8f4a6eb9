namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// One run fed from files named per input (<c>name=file.npy</c> or <c>name=file.pb</c>): a NumPy array or a
/// serialized ONNX TensorProto. Every model input must be given one file; a file with an empty name feeds the only
/// input of a single-input model.
/// </summary>
public sealed class TensorFileSource : IInputSource
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> _files;

    /// <summary>Creates a source from (input name, file path) pairs.</summary>
    public TensorFileSource(IEnumerable<KeyValuePair<string, string>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _files = files.ToArray();
        if (_files.Count == 0)
            throw new ArgumentException("At least one input file is needed.", nameof(files));
    }

    /// <summary>Parses <c>name=path</c>, or a bare <c>path</c> (empty name: the model's only input).</summary>
    /// <exception cref="FormatException">The text is empty or has an empty side of <c>=</c>.</exception>
    public static KeyValuePair<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=');
        if (eq < 0 && text.Length > 0)
            return new("", text);
        if (eq <= 0 || eq == text.Length - 1)
            throw new FormatException($"'{text}' is not NAME=FILE (for example input=image.npy).");
        return new(text[..eq], text[(eq + 1)..]);
    }

    /// <inheritdoc />
    public string Description => "files: " + string.Join(", ", _files.Select(f => f.Key.Length > 0 ? $"{f.Key}={f.Value}" : f.Value));

    /// <inheritdoc />
    public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var files = _files.Select(f => f.Key.Length > 0 ? f : new(OnlyInput(inputs, f.Value), f.Value)).ToArray();
        foreach (var (name, _) in files)
        {
            if (inputs.All(i => i.Name != name))
                throw new InputMismatchException(
                    $"a tensor file is given for '{name}' but the model's inputs are: {string.Join(", ", inputs.Select(i => i.Name))}.",
                    InputRemedy.TensorFile);
        }
        var missing = inputs.Where(i => files.All(f => f.Key != i.Name)).Select(i => i.Name).ToArray();
        if (missing.Length > 0)
            throw new InputMismatchException($"No tensor file given for {string.Join(", ", missing)}: every model input needs one.",
                InputRemedy.TensorFile);
        var tensors = inputs.Select(i =>
        {
            var path = files.Last(f => f.Key == i.Name).Value;
            return InputFit.Adapt(InputFit.Read(path), i, path, Casted);
        }).ToArray();
        return [new InputFeed(string.Join(", ", _files.Select(f => Path.GetFileName(f.Value))), tensors) { Completed = 1 }];
    }

    /// <summary>Told when a file's values are cast to the input's element type (a float64 .npy for a float32 input).</summary>
    public Action<InputCast>? Casted { get; init; }

    private static string OnlyInput(IReadOnlyList<InputSignature> inputs, string path) => inputs.Count == 1
        ? inputs[0].Name
        : throw new InputMismatchException(
            $"{path} names no input, but the model has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}): give each file as NAME=FILE.");
}
