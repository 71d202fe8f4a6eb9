using System.Globalization;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// One entry of a shape vector read by <see cref="BatchKeepingShape"/>: a constant, or the batch size (dim 0) of the
/// tensor being reshaped, which the graph reads at run time.
/// </summary>
internal readonly record struct ShapeEntry(long Value, bool IsBatch)
{
    public static ShapeEntry Batch => new(0, IsBatch: true);

    public static ShapeEntry Of(long value) => new(value, IsBatch: false);

    public override string ToString() => IsBatch ? "N" : Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"[N,-1]", "[0,144]": the batch size is written N.</summary>
    public static string Format(IEnumerable<ShapeEntry> entries) => "[" + string.Join(",", entries) + "]";
}

/// <summary>
/// Reads the shape input of a Reshape entry by entry when it is a constant or the small expression PyTorch 1.13
/// exports for <c>x.view(x.size(0), -1)</c> / <c>x.reshape(x.shape[0], -1)</c> with a dynamic batch axis:
/// <code>
///   x ─ Shape ─ Gather(indices 0, axis 0) ─ Unsqueeze(axes [0]) ─┐
///                       Constant [-1] | Unsqueeze(Constant -1) ──┴─ Concat(axis 0) ─ Reshape(x, ·)
/// </code>
/// Also accepted: Unsqueeze's axes as an attribute (opset ≤ 12) or a constant input (opset ≥ 13); Gather with
/// indices [0], whose 1-D output needs no Unsqueeze; Shape(x, start=0, end=1), the batch size without a Gather
/// (opset ≥ 15); Cast to int64 anywhere; constants as Constant nodes or initializers, int64 or int32; K instead of
/// -1. The result proves which entries are constants and which are dim 0 of the very tensor the Reshape reshapes;
/// a Shape of any other tensor, another dim, or any other op is declined with the node that breaks the pattern.
/// </summary>
internal static class BatchKeepingShape
{
    // Exporters write three to five nodes; a deeper chain is not this pattern (and bounds the recursion).
    private const int MaxDepth = 16;

    /// <summary>
    /// The entries of <paramref name="reshape"/>'s shape input, or the reason it is not a constant or batch-keeping
    /// shape expression.
    /// </summary>
    public static string? Read(FoldContext context, Node reshape, out ShapeEntry[] entries)
    {
        entries = [];
        var reader = new Reader(context, reshape);
        if (reader.Read(reshape.Input(1), 0, out var piece) is { } reason)
            return reason;
        if (piece.Scalar)
            return $"{reshape.DisplayName} shape is a scalar";
        entries = piece.Entries;
        return null;
    }

    /// <summary>A value of the expression: its entries, and whether it is a scalar (rank 0) rather than a 1-D vector.</summary>
    private readonly record struct Piece(ShapeEntry[] Entries, bool Scalar);

    private sealed class Reader(FoldContext context, Node reshape)
    {
        private string Reshaped => reshape.Input(0);

        public string? Read(string value, int depth, out Piece piece)
        {
            piece = default;
            if (depth > MaxDepth)
                return $"{reshape.DisplayName} shape is an expression more than {MaxDepth} nodes deep";
            if (context.TryConstant(value, out var constant))
                return Constant(value, constant, out piece);
            if (context.Graph.Producer(value) is not { } node)
                return $"{reshape.DisplayName} shape '{value}' is a graph input, not a constant";
            if (node.Is("Concat")) return Concat(node, depth, out piece);
            if (node.Is("Unsqueeze")) return Unsqueeze(node, depth, out piece);
            if (node.Is("Gather")) return Gather(node, out piece);
            if (node.Is("Shape")) return BatchSlice(node, out piece);
            if (node.Is("Cast"))
            {
                var to = (OnnxDataType)node.GetInt("to", 0);
                return to == OnnxDataType.Int64 ? Read(node.Input(0), depth + 1, out piece)
                    : $"{node.DisplayName} casts {reshape.DisplayName}'s shape to {to.DisplayName()}, not int64";
            }
            return $"{reshape.DisplayName} shape comes from {node.OpType} {node.DisplayName}, not from constants, Shape, "
                + "Gather, Unsqueeze, Concat or Cast";
        }

        private static string? Constant(string value, TensorData tensor, out Piece piece)
        {
            piece = default;
            long[]? values = tensor.ElementType switch
            {
                OnnxDataType.Int64 => tensor.ToArray<long>(),
                OnnxDataType.Int32 => [.. tensor.ToArray<int>().Select(v => (long)v)],
                _ => null,
            };
            if (values is null)
                return $"constant '{value}' in a shape is {tensor.ElementType.DisplayName()}, not an integer tensor";
            if (tensor.Rank > 1)
                return $"constant '{value}' in a shape has rank {tensor.Rank}";
            piece = new Piece([.. values.Select(ShapeEntry.Of)], Scalar: tensor.Rank == 0);
            return null;
        }

        private string? Concat(Node concat, int depth, out Piece piece)
        {
            piece = default;
            if (concat.GetInt("axis", 0) is not (0 or -1))
                return $"{concat.DisplayName} concatenates along axis {concat.GetInt("axis", 0)}, not 0";
            var entries = new List<ShapeEntry>();
            foreach (string part in concat.Inputs)
            {
                if (Read(part, depth + 1, out var p) is { } reason)
                    return reason;
                if (p.Scalar)
                    return $"{concat.DisplayName} concatenates a scalar";
                entries.AddRange(p.Entries);
            }
            piece = new Piece([.. entries], Scalar: false);
            return null;
        }

        /// <summary>Unsqueeze(axes [0]) of a scalar: the one-entry vector a Concat can take.</summary>
        private string? Unsqueeze(Node unsqueeze, int depth, out Piece piece)
        {
            piece = default;
            long[]? axes = unsqueeze.GetInts("axes");
            if (axes is null && unsqueeze.Input(1).Length > 0 && context.TryConstant(unsqueeze.Input(1), out var axesTensor)
                && axesTensor.ElementType == OnnxDataType.Int64)
                axes = axesTensor.ToArray<long>();
            if (axes is null)
                return $"{unsqueeze.DisplayName} has no constant axes";
            if (axes is not [0 or -1])
                return $"{unsqueeze.DisplayName} has axes {ShapeMath.Format(axes)}, not [0]";
            if (Read(unsqueeze.Input(0), depth + 1, out var inner) is { } reason)
                return reason;
            if (!inner.Scalar)
                return $"{unsqueeze.DisplayName} unsqueezes a vector, not a scalar";
            piece = inner with { Scalar = false };
            return null;
        }

        /// <summary>Gather(Shape(x), 0): the batch size of x, as a scalar (indices 0) or a 1-entry vector (indices [0]).</summary>
        private string? Gather(Node gather, out Piece piece)
        {
            piece = default;
            if (context.Graph.Producer(gather.Input(0)) is not { } shape || !shape.Is("Shape"))
                return $"{gather.DisplayName} gathers from '{gather.Input(0)}', not from a Shape";
            if (ShapeOfReshaped(shape) is { } other)
                return other;
            if (shape.GetInt("start", 0) != 0)
                return $"{shape.DisplayName} starts at dim {shape.GetInt("start", 0)}, not 0";
            if (gather.GetInt("axis", 0) is not (0 or -1))
                return $"{gather.DisplayName} gathers along axis {gather.GetInt("axis", 0)}, not 0";
            if (!context.TryConstant(gather.Input(1), out var indices) || Constant(gather.Input(1), indices, out var index) is not null)
                return $"{gather.DisplayName} indices are not a constant integer";
            // A negative index counts from the end of the Shape's output, which is x's rank unless an end cuts it.
            int? rank = shape.HasAttribute("end") ? null : context.Shapes.RankOf(Reshaped);
            foreach (var entry in index.Entries)
            {
                long dim = entry.Value < 0 && rank is int r ? entry.Value + r : entry.Value;
                if (dim != 0)
                    return $"{gather.DisplayName} takes dim {entry.Value} of '{Reshaped}', not the batch dim 0";
            }
            piece = new Piece([.. index.Entries.Select(_ => ShapeEntry.Batch)], index.Scalar);
            return null;
        }

        /// <summary>Shape(x, start=0, end=1) (opset 15): the batch size as a 1-entry vector.</summary>
        private string? BatchSlice(Node shape, out Piece piece)
        {
            piece = default;
            if (ShapeOfReshaped(shape) is { } other)
                return other;
            if (shape.GetInt("start", 0) != 0 || shape.GetInt("end", 0) != 1)
                return $"{shape.DisplayName} gives more dims of '{Reshaped}' than the batch dim";
            piece = new Piece([ShapeEntry.Batch], Scalar: false);
            return null;
        }

        private string? ShapeOfReshaped(Node shape) =>
            shape.Input(0) == Reshaped ? null
                : $"{shape.DisplayName} reads '{shape.Input(0)}', not '{Reshaped}' that {reshape.DisplayName} reshapes";
    }
}
