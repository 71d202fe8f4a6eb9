using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// Tensors you already hold, one run per feed: your own representative inputs for a verification. Each tensor is
/// matched to the model input of its name, checked against the input's rank and fixed dimensions, and converted
/// between floating-point types when needed.
/// </summary>
public sealed class GivenInputSource : IInputSource
{
    private readonly IReadOnlyList<IReadOnlyList<TensorData>> _runs;

    /// <summary>One run of these tensors, named after the model inputs they feed.</summary>
    public GivenInputSource(params TensorData[] tensors)
        : this([(IReadOnlyList<TensorData>)tensors])
    {
    }

    /// <summary>One run per list of tensors.</summary>
    public GivenInputSource(IEnumerable<IReadOnlyList<TensorData>> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        _runs = runs.ToArray();
        if (_runs.Count == 0 || _runs.Any(r => r.Count == 0))
            throw new ArgumentException("At least one run of at least one tensor is needed.", nameof(runs));
    }

    /// <inheritdoc />
    public string Description => $"given tensors ({_runs.Count} run(s))";

    /// <inheritdoc />
    public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (var run = 0; run < _runs.Count; run++)
        {
            var label = $"given run {run}";
            foreach (var tensor in _runs[run])
            {
                if (inputs.All(i => i.Name != tensor.Name))
                    throw new InputMismatchException(
                        $"{label}: tensor '{tensor.Name}' names no input; the model's inputs are: {string.Join(", ", inputs.Select(i => i.Name))}.");
            }
            var missing = inputs.Where(i => _runs[run].All(t => t.Name != i.Name)).Select(i => i.Name).ToArray();
            if (missing.Length > 0)
                throw new InputMismatchException($"{label}: no tensor given for {string.Join(", ", missing)}: every model input needs one.");
            yield return new InputFeed(label,
                inputs.Select(i => InputFit.Adapt(_runs[run].Last(t => t.Name == i.Name), i, label)).ToArray());
        }
    }
}
