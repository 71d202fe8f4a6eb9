namespace OnnxBn.Folding.Rules;

/// <summary>
/// The constant [K, N] matrix a MatMul multiplies by: an initializer or Constant, or a Transpose(perm=[1,0]) of one,
/// which is how PyTorch exports a bias-free nn.Linear (MatMul(x, Transpose(weight))).
/// </summary>
/// <param name="Source">The constant tensor the matrix comes from (its element type and placement carry over).</param>
/// <param name="Values">The matrix in row-major [K, N] order, in float64.</param>
/// <param name="Rows">K, the number of input features.</param>
/// <param name="Columns">N, the number of outputs.</param>
/// <param name="Transpose">The Transpose node between the constant and the MatMul, or null.</param>
internal sealed record MatMulWeight(TensorData Source, double[] Values, long Rows, long Columns, Node? Transpose)
{
    /// <summary>Reads the matrix behind <paramref name="value"/>, or returns why it is not a constant float matrix.</summary>
    public static string? Resolve(FoldContext context, string value, out MatMulWeight weight)
    {
        weight = null!;
        Node? transpose = null;
        if (!context.TryConstant(value, out var source))
        {
            transpose = context.Graph.Producer(value);
            if (transpose is null || !transpose.Is("Transpose") || !context.TryConstant(transpose.Input(0), out source))
                return context.NotConstant("MatMul B", value);
            if (transpose.GetInts("perm") is { } perm && !perm.SequenceEqual([1L, 0L]))
                return $"MatMul B is a Transpose with perm=[{string.Join(",", perm)}]";
        }
        if (!source.ElementType.IsFoldableFloat() || source.Rank != 2)
            return $"MatMul B is not a 2-D float matrix (shape {ShapeMath.Format(source.DimsArray())})";

        double[] values = source.ToDoubleArray();
        long rows = source.Dims[0], columns = source.Dims[1];
        if (transpose is not null)
        {
            var transposed = new double[values.Length];
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < columns; c++)
                    transposed[c * rows + r] = values[r * columns + c];
            (values, rows, columns) = (transposed, columns, rows);
        }
        weight = new MatMulWeight(source, values, rows, columns, transpose);
        return null;
    }

    /// <summary>Why writing <paramref name="values"/> ([K, N], in place of <see cref="Values"/>) in the source's type would damage them, or null.</summary>
    public string? WriteDamage(double[] values, string what) =>
        Numerics.NarrowFloat.IsNarrow(Source.ElementType) ? Numerics.NarrowFloat.Damage(Source.ElementType, values, Values, what) : null;

    /// <summary>
    /// Points input <paramref name="index"/> of <paramref name="matMul"/> at a new [K, N] weight holding
    /// <paramref name="values"/>, and drops the Transpose when nothing else reads it.
    /// </summary>
    public void Replace(FoldContext context, Node matMul, int index, string stem, double[] values)
    {
        var tensor = TensorData.FromDoubles("", Source.ElementType, [Rows, Columns], values);
        context.ReplaceInputWithWeight(matMul, index, stem, tensor, Source);
        if (Transpose is { } t && context.Graph.Consumers(t.Output(0)).Count == 0 && !context.Graph.IsGraphOutput(t.Output(0)))
        {
            context.Graph.RemoveNode(t);
            context.Graph.RemoveValueInfo(t.Output(0));
        }
    }
}
