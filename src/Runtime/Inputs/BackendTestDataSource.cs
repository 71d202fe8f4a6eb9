using System.Globalization;
using System.Text.RegularExpressions;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// Inputs in the ONNX backend-test layout: a directory holding <c>test_data_set_0/</c>, <c>test_data_set_1/</c>, ...
/// each with <c>input_0.pb</c>, <c>input_1.pb</c>, ... (serialized TensorProto), or one such set directory itself.
/// One run per set. A tensor is matched to the model input of its name, or by its position when it has no name or a
/// name the model does not know.
/// </summary>
public sealed partial class BackendTestDataSource(string directory) : IInputSource
{
    /// <summary>The directory given.</summary>
    public string Directory { get; } = directory ?? throw new ArgumentNullException(nameof(directory));

    /// <inheritdoc />
    public string Description => $"test data: {Directory}";

    /// <inheritdoc />
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException">No test_data_set_* or input_*.pb is found.</exception>
    public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!System.IO.Directory.Exists(Directory))
            throw new DirectoryNotFoundException($"Test data directory not found: {Directory}");
        var sets = System.IO.Directory.GetDirectories(Directory, "test_data_set_*")
            .OrderBy(d => Suffix(d, SetPattern())).ToList();
        if (sets.Count == 0 && InputFiles(Directory).Count > 0)
            sets.Add(Directory);
        if (sets.Count == 0)
            throw new InvalidDataException($"{Directory}: no test_data_set_*/ directories and no input_*.pb files.");
        return sets.Select((set, index) => Read(set, inputs) with { Completed = (index + 1.0) / sets.Count });
    }

    /// <summary>Told when a file's values are cast to the input's element type (a float64 tensor for a float32 input).</summary>
    public Action<InputCast>? Casted { get; init; }

    private InputFeed Read(string set, IReadOnlyList<InputSignature> inputs)
    {
        var files = InputFiles(set);
        if (files.Count != inputs.Count)
            throw new InputMismatchException(
                $"{set}: {files.Count} input_*.pb file(s) but the model has {inputs.Count} input(s) ({string.Join(", ", inputs.Select(i => i.Name))}).");
        var tensors = new Folding.TensorData[files.Count];
        for (var position = 0; position < files.Count; position++)
        {
            var tensor = InputFit.Read(files[position]);
            var input = inputs.FirstOrDefault(i => i.Name == tensor.Name) ?? inputs[position];
            tensors[position] = InputFit.Adapt(tensor, input, files[position], Casted);
        }
        if (tensors.Select(t => t.Name).Distinct().Count() != tensors.Length)
            throw new InputMismatchException($"{set}: two input files feed the same model input.");
        return new InputFeed(Path.GetFileName(Path.TrimEndingDirectorySeparator(set)), tensors);
    }

    private static List<string> InputFiles(string set) =>
        System.IO.Directory.GetFiles(set, "input_*.pb").OrderBy(f => Suffix(f, InputPattern())).ToList();

    private static int Suffix(string path, Regex pattern)
    {
        var match = pattern.Match(Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : int.MaxValue;
    }

    [GeneratedRegex(@"^test_data_set_(\d+)$")]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^input_(\d+)\.pb$")]
    private static partial Regex InputPattern();
}
