namespace OnnxBn.Folding;

/// <summary>
/// Element-wise arithmetic on float constants, as ONNX defines it for a tensor of that type: each op's exact result
/// rounded to the type (float32 and float64 arithmetic is correctly rounded, so this is what a runtime computes for
/// + − × ÷ and √), with numpy broadcasting. Exporters compute BN-like parameters this way when they skip constant
/// folding, e.g. torchvision's FrozenBatchNorm2d:
/// <code>
///   scale = weight · Reciprocal(Sqrt(running_var + eps))      shift = bias − running_mean · scale
/// </code>
/// </summary>
internal static class ConstantArithmetic
{
    /// <summary>The largest result evaluated; a broadcast past it ([N,1]·[1,N]) is left to the runtime.</summary>
    private const long MaxElements = 1 << 24;

    /// <summary>True for the ops <see cref="Evaluate"/> computes.</summary>
    public static bool Computes(Node node) => node.OpType is "Add" or "Sub" or "Mul" or "Div" or "Pow"
        or "Sqrt" or "Reciprocal" or "Neg" or "Abs" or "Exp" or "Log";

    /// <summary>The op applied to constant inputs of one float type (Pow's exponent may be any number type); null otherwise.</summary>
    public static TensorData? Evaluate(Node node, IReadOnlyList<TensorData> inputs)
    {
        if (inputs.Count == 0 || !inputs[0].ElementType.IsFoldableFloat())
            return null;
        var type = inputs[0].ElementType;
        if (inputs.Count == 1)
            return Unary(node.OpType) is { } f ? Map(inputs[0], f, type) : null;
        if (inputs.Count != 2 || Binary(node.OpType) is not { } g)
            return null;
        var exponentType = inputs[1].ElementType;
        if (exponentType != type && !(node.Is("Pow") && (exponentType.IsFoldableFloat() || exponentType is OnnxDataType.Int32 or OnnxDataType.Int64)))
            return null;
        return Broadcast(inputs[0], inputs[1], g, type);
    }

    private static Func<double, double>? Unary(string op) => op switch
    {
        "Sqrt" => Math.Sqrt,
        "Reciprocal" => v => 1 / v,
        "Neg" => v => -v,
        "Abs" => Math.Abs,
        "Exp" => Math.Exp,
        "Log" => Math.Log,
        _ => null,
    };

    private static Func<double, double, double>? Binary(string op) => op switch
    {
        "Add" => (a, b) => a + b,
        "Sub" => (a, b) => a - b,
        "Mul" => (a, b) => a * b,
        "Div" => (a, b) => a / b,
        "Pow" => Math.Pow,
        _ => null,
    };

    private static TensorData Map(TensorData x, Func<double, double> f, OnnxDataType type)
    {
        var values = x.ToDoubleArray();
        for (var i = 0; i < values.Length; i++)
            values[i] = f(values[i]);
        return TensorData.FromDoubles("", type, x.DimsArray(), values);
    }

    private static TensorData? Broadcast(TensorData a, TensorData b, Func<double, double, double> f, OnnxDataType type)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            long da = Dim(a, rank, i), db = Dim(b, rank, i);
            if (da != db && da != 1 && db != 1)
                return null;
            dims[i] = da == 1 ? db : da;
        }
        long count = ShapeMath.ElementCount(dims);
        if (count > MaxElements)
            return null;
        double[] x = a.ToDoubleArray(), y = b.ToDoubleArray(), result = new double[count];
        long[] stridesA = Strides(a, rank), stridesB = Strides(b, rank);
        var index = new long[rank];
        for (long k = 0; k < count; k++)
        {
            long ia = 0, ib = 0;
            for (var i = 0; i < rank; i++)
            {
                ia += index[i] * stridesA[i];
                ib += index[i] * stridesB[i];
            }
            result[k] = f(x[ia], y[ib]);
            for (var i = rank - 1; i >= 0 && ++index[i] == dims[i]; i--)
                index[i] = 0;
        }
        return TensorData.FromDoubles("", type, dims, result);
    }

    /// <summary>Dim <paramref name="i"/> of <paramref name="t"/> aligned from the end to <paramref name="rank"/> axes.</summary>
    private static long Dim(TensorData t, int rank, int i) => i < rank - t.Rank ? 1 : t.Dims[i - (rank - t.Rank)];

    /// <summary>Row-major strides of <paramref name="t"/> aligned to <paramref name="rank"/> axes, 0 on broadcast axes.</summary>
    private static long[] Strides(TensorData t, int rank)
    {
        var strides = new long[rank];
        long stride = 1;
        for (var i = rank - 1; i >= 0; i--)
        {
            long d = Dim(t, rank, i);
            strides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        return strides;
    }
}
