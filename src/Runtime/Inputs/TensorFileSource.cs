namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// One run fed from files named per input (<c>--input name=file.npy</c> or <c>name=file.pb</c>): a NumPy array or a
/// serialized ONNX TensorProto. Every model input must be given one file.
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

    /// <summary>Parses <c>name=path</c>.</summary>
    /// <exception cref="FormatException">The text has no <c>=</c> or an empty side.</exception>
    public static KeyValuePair<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new FormatException($"'{text}' is not NAME=FILE (for example input=image.npy).");
        return new(text[..eq], text[(eq + 1)..]);
    }

    /// <inheritdoc />
    public string Description => "files: " + string.Join(", ", _files.Select(f => $"{f.Key}={f.Value}"));

    /// <inheritdoc />
    public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var (name, _) in _files)
        {
            if (inputs.All(i => i.Name != name))
                throw new InputMismatchException(
                    $"--input names '{name}' but the model's inputs are: {string.Join(", ", inputs.Select(i => i.Name))}.");
        }
        var missing = inputs.Where(i => _files.All(f => f.Key != i.Name)).Select(i => i.Name).ToArray();
        if (missing.Length > 0)
            throw new InputMismatchException($"No --input given for {string.Join(", ", missing)}: every model input needs one.");
        var tensors = inputs.Select(i =>
        {
            var path = _files.Last(f => f.Key == i.Name).Value;
            return InputFit.Adapt(InputFit.Read(path), i, path);
        }).ToArray();
        return [new InputFeed(string.Join(", ", _files.Select(f => Path.GetFileName(f.Value))), tensors)];
    }
}
