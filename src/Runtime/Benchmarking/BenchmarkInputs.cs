using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// Seeded random inputs for a benchmark, shaped by the model's metadata: the first dimension of each input is the
/// batch axis when the model leaves it symbolic; other symbolic dimensions come from an explicit shape
/// (<c>--shape name=1x784</c>, whose first dimension is then replaced by the batch size) or default to 1.
/// </summary>
public static partial class BenchmarkInputs
{
    /// <summary>The shape input <paramref name="input"/> gets for <paramref name="batch"/>.</summary>
    /// <exception cref="BenchmarkSetupException">The batch size cannot be applied or the explicit shape does not fit.</exception>
    public static long[] ShapeFor(SessionPort input, int batch, IReadOnlyDictionary<string, long[]>? shapes = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] dims;
        if (shapes is not null && shapes.TryGetValue(input.Name, out var given))
        {
            if (given.Length != input.Shape.Count)
                throw new BenchmarkSetupException(
                    $"the shape given for input '{input.Name}' has {given.Length} dimensions but the model's input is {input.ShapeText}.", InputRemedy.Shape);
            for (var i = 1; i < given.Length; i++)
            {
                if (input.Shape[i] >= 0 && input.Shape[i] != given[i])
                    throw new BenchmarkSetupException(
                        $"the shape given for input '{input.Name}': dimension {i} is {given[i]} but the model fixes it at {input.Shape[i]} ({input.ShapeText}).",
                        InputRemedy.Shape);
            }
            dims = (long[])given.Clone();
        }
        else
        {
            dims = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
        }

        if (dims.Length == 0)
            return dims;
        if (input.Shape[0] < 0)
            dims[0] = batch;
        else if (input.Shape[0] != batch)
            throw new BenchmarkSetupException(
                $"Input '{input.Name}' {input.ShapeText} has a fixed first dimension of {input.Shape[0]}; it cannot run batch {batch}.");
        return dims;
    }

    /// <summary>
    /// One native tensor per input of <paramref name="session"/> for <paramref name="batch"/>, filled from
    /// <paramref name="seed"/> (the same seed, model and batch always give the same values). Dispose each value.
    /// </summary>
    public static Dictionary<string, OrtValue> Create(ModelSession session, int batch, int seed,
        IReadOnlyDictionary<string, long[]>? shapes = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        // A fixed mix, not HashCode.Combine: that one is randomized per process, so runs would not repeat.
        var random = new SeededRandom(seed * 1_000_003L + batch);
        return ToValues(session, input =>
        {
            if (!input.IsTensor)
                throw new BenchmarkSetupException($"Input '{input.Name}' is not a tensor; benchmarks need tensor inputs.");
            return RandomInputSource.Create(input.Name, input.ElementType, ShapeFor(input, batch, shapes), random);
        });
    }

    /// <summary>
    /// One native tensor per input from the first feed of <paramref name="source"/> (the input sources of
    /// <c>verify</c>: backend-test folders, tensor files, Fashion-MNIST), checked to hold <paramref name="batch"/> samples.
    /// </summary>
    /// <exception cref="BenchmarkSetupException">No feed, a missing input, or a different batch size.</exception>
    public static Dictionary<string, OrtValue> FromSource(ModelSession session, int batch, IInputSource source)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(source);
        var feed = source.Feeds(session.Inputs.Select(InputSignature.From).ToList()).FirstOrDefault()
            ?? throw new BenchmarkSetupException($"{source.Description}: no inputs.");
        return ToValues(session, input =>
        {
            var tensor = feed.Find(input.Name)
                ?? throw new BenchmarkSetupException($"{source.Description}: nothing for input '{input.Name}'.");
            if (tensor.Rank > 0 && tensor.Dims[0] != batch)
                throw new BenchmarkSetupException(
                    $"{source.Description}: input '{input.Name}' holds {tensor.Dims[0]} samples, not batch {batch}.", InputRemedy.BatchSize);
            return tensor;
        });
    }

    /// <summary>One native tensor per input of <paramref name="session"/>; on a failure the ones made so far are released.</summary>
    private static Dictionary<string, OrtValue> ToValues(ModelSession session, Func<SessionPort, TensorData> tensorFor)
    {
        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            foreach (var input in session.Inputs)
                values[input.Name] = TensorDataInterop.ToOrtValue(tensorFor(input));
        }
        catch
        {
            foreach (var value in values.Values)
                value.Dispose();
            throw;
        }
        return values;
    }
}

/// <summary>
/// A benchmark cannot be set up as asked (shapes, batch sizes, inputs): a usage problem, not a runtime error.
/// <see cref="Remedy"/> says what the caller can give instead, so a front end can name its own option for it.
/// </summary>
public sealed class BenchmarkSetupException(string message, InputRemedy remedy = InputRemedy.None) : Exception(message)
{
    /// <summary>What would make the benchmark's inputs fit, or <see cref="InputRemedy.None"/>.</summary>
    public InputRemedy Remedy { get; } = remedy;
}
