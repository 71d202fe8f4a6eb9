using System.Globalization;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// Concrete shapes for inputs whose metadata has symbolic dimensions. The rule, shared by every input source:
/// dimension 0, when symbolic, is the batch (how many samples one run holds); every other symbolic dimension is
/// <see cref="DefaultSymbolicDimension"/>; a <c>--shape name=1x3x224x224</c> override replaces the whole shape.
/// </summary>
public static class InputShapes
{
    /// <summary>The size given to a symbolic dimension other than the batch when no override names it.</summary>
    public const long DefaultSymbolicDimension = 1;

    /// <summary>Parses <c>name=1x3x224x224</c> (also <c>name=1,3,224,224</c>; <c>name=</c> is a scalar).</summary>
    /// <exception cref="FormatException">The text is not of that form or a dimension is not a non-negative integer.</exception>
    public static KeyValuePair<string, long[]> ParseOverride(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.LastIndexOf('=');
        if (eq <= 0)
            throw new FormatException($"'{text}' is not NAME=DIMS (for example input=1x3x224x224).");
        var name = text[..eq];
        var body = text[(eq + 1)..].Trim();
        if (body.Length == 0)
            return new(name, []);
        var parts = body.Split(['x', 'X', ',', '*'], StringSplitOptions.TrimEntries);
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new FormatException($"'{text}': dimension '{parts[i]}' is not a non-negative integer.");
        }
        return new(name, dims);
    }

    /// <summary>Checks that every override names an input and agrees with its fixed dimensions.</summary>
    /// <exception cref="InputMismatchException">An override names no input or contradicts the model.</exception>
    public static void Validate(IReadOnlyList<InputSignature> inputs, IReadOnlyDictionary<string, long[]> overrides)
    {
        foreach (var (name, dims) in overrides)
        {
            var input = inputs.FirstOrDefault(i => i.Name == name)
                ?? throw new InputMismatchException(
                    $"a shape is given for '{name}' but the model's inputs are: {string.Join(", ", inputs.Select(i => i.Name))}.", InputRemedy.Shape);
            if (dims.Length != input.Rank)
                throw new InputMismatchException(
                    $"the shape given for '{name}' has rank {dims.Length} but the model declares {input.ShapeText} (rank {input.Rank}).", InputRemedy.Shape);
            for (var d = 0; d < dims.Length; d++)
            {
                if (input.Dims[d] is { } fixedDim && fixedDim != dims[d])
                    throw new InputMismatchException(
                        $"the shape given for '{name}': dimension {d} is {dims[d]} but the model fixes it to {fixedDim} ({input.ShapeText}).", InputRemedy.Shape);
            }
        }
    }

    /// <summary>
    /// The samples one run of this input must hold: the fixed size of dimension 0 (from the model or an override),
    /// or null when dimension 0 is a free batch dimension. Scalars have no batch (null).
    /// </summary>
    public static long? FixedBatch(InputSignature input, IReadOnlyDictionary<string, long[]> overrides)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (overrides.TryGetValue(input.Name, out var dims))
            return dims.Length > 0 ? dims[0] : null;
        return input.Rank > 0 ? input.Dims[0] : null;
    }

    /// <summary>The concrete shape of one run holding <paramref name="batch"/> samples.</summary>
    public static long[] Resolve(InputSignature input, IReadOnlyDictionary<string, long[]> overrides, long batch)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (overrides.TryGetValue(input.Name, out var dims))
            return (long[])dims.Clone();
        var shape = new long[input.Rank];
        for (var d = 0; d < shape.Length; d++)
            shape[d] = input.Dims[d] ?? (d == 0 ? batch : DefaultSymbolicDimension);
        return shape;
    }

    /// <summary>
    /// The samples of the next run for a set of inputs: the fixed batch when an input has one (all must agree), else
    /// <paramref name="remaining"/> capped by <paramref name="batchSize"/>.
    /// </summary>
    /// <exception cref="InputMismatchException">Two inputs fix different batch sizes.</exception>
    public static long NextBatch(IReadOnlyList<InputSignature> inputs, IReadOnlyDictionary<string, long[]> overrides,
        long remaining, int batchSize)
    {
        long? fixedBatch = null;
        foreach (var input in inputs)
        {
            if (FixedBatch(input, overrides) is not { } b)
                continue;
            if (fixedBatch is { } other && other != b)
                throw new InputMismatchException(
                    $"Inputs fix different batch sizes ({other} and {b} for '{input.Name}'); give every input's shape.", InputRemedy.Shape);
            fixedBatch = b;
        }
        return fixedBatch is { } fixedSize ? Math.Max(1, fixedSize) : Math.Min(remaining, Math.Max(1, batchSize));
    }
}
