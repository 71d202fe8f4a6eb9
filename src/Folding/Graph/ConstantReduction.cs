namespace OnnxBn.Folding;

/// <summary>
/// Reductions of float constants (ReduceL2, ReduceSum, ...) over their axes, as ONNX defines them, each result
/// rounded to the input's type. PyTorch's weight_norm exports its weight as g·v/‖v‖ with ‖v‖ a ReduceL2 over every
/// axis but the first: with it evaluated, such a Conv weight is a constant a BN can fold into.
/// </summary>
internal static class ConstantReduction
{
    /// <summary>True for the reductions <see cref="Evaluate"/> computes.</summary>
    public static bool Computes(Node node) => node.OpType is "ReduceL1" or "ReduceL2" or "ReduceSum" or "ReduceSumSquare"
        or "ReduceMean" or "ReduceMax" or "ReduceMin";

    /// <summary>The reduction of the constant <c>inputs[0]</c> over its axes (attribute, or constant input 1 from opset 13/18); null when they are not known.</summary>
    public static TensorData? Evaluate(Node node, IReadOnlyList<TensorData> inputs)
    {
        if (inputs.Count == 0 || !inputs[0].ElementType.IsFoldableFloat())
            return null;
        var x = inputs[0];
        long[]? axes = node.GetInts("axes") ?? (inputs.Count > 1 ? AxesOf(inputs[1]) : []);
        if (axes is null)
            return null;
        if (axes.Length == 0 && node.GetInt("noop_with_empty_axes", 0) != 0)
            return x;
        var reduced = new bool[x.Rank];
        foreach (var axis in axes.Length == 0 ? Enumerable.Range(0, x.Rank).Select(a => (long)a) : axes)
        {
            long a = axis < 0 ? axis + x.Rank : axis;
            if (a < 0 || a >= x.Rank)
                return null;
            reduced[a] = true;
        }
        bool keepDims = node.GetInt("keepdims", 1) != 0;
        var outDims = x.Dims.Select((d, i) => reduced[i] ? 1 : d).ToArray();
        var values = x.ToDoubleArray();
        var count = ShapeMath.ElementCount(outDims);
        var sums = new double[count];
        var seen = new long[count];
        var index = new long[x.Rank];
        for (long k = 0; k < values.Length; k++)
        {
            long target = 0;
            for (var i = 0; i < x.Rank; i++)
                target = target * outDims[i] + (reduced[i] ? 0 : index[i]);
            sums[target] = Accumulate(node.OpType, sums[target], values[k], seen[target]++ == 0);
            for (var i = x.Rank - 1; i >= 0 && ++index[i] == x.Dims[i]; i--)
                index[i] = 0;
        }
        if (seen.Any(s => s == 0))
            return null; // an empty axis: the identity of a max or min is not a number a weight should hold
        for (var i = 0; i < sums.Length; i++)
            sums[i] = node.OpType switch
            {
                "ReduceL2" => Math.Sqrt(sums[i]),
                "ReduceMean" => sums[i] / seen[i],
                _ => sums[i],
            };
        long[] dims = keepDims ? outDims : outDims.Where((_, i) => !reduced[i]).ToArray();
        return TensorData.FromDoubles("", x.ElementType, dims, sums);
    }

    private static double Accumulate(string op, double total, double v, bool first) => op switch
    {
        "ReduceL1" => total + Math.Abs(v),
        "ReduceL2" or "ReduceSumSquare" => total + v * v,
        "ReduceMax" => first ? v : Math.Max(total, v),
        "ReduceMin" => first ? v : Math.Min(total, v),
        _ => total + v,
    };

    private static long[]? AxesOf(TensorData axes) => axes.ElementType switch
    {
        OnnxDataType.Int64 => axes.ToArray<long>(),
        OnnxDataType.Int32 => [.. axes.ToArray<int>().Select(v => (long)v)],
        _ => null,
    };
}
