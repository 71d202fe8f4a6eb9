using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

/// <summary>
/// A dense row-major float64 tensor for the reference evaluator: whatever the model's element type, the oracle
/// computes in float64 so that its own rounding never hides (or causes) a folding error.
/// </summary>
/// <param name="Shape">Dimensions, outermost first; an empty shape is a scalar.</param>
/// <param name="Data">Values in row-major order; its length is the product of <paramref name="Shape"/>.</param>
public sealed record RefTensor(long[] Shape, double[] Data)
{
    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements.</summary>
    public int Size => Data.Length;

    /// <summary>Checks that the data fills the shape; every producer of a tensor goes through here.</summary>
    /// <exception cref="ArgumentException">The data does not fill the shape.</exception>
    public static RefTensor Of(long[] shape, double[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"RefTensor: {data.Length} values do not fill shape [{string.Join(",", shape)}].");
        return new RefTensor(shape, data);
    }

    /// <summary>A scalar.</summary>
    public static RefTensor Scalar(double value) => new([], [value]);

    /// <summary>A tensor of zeros.</summary>
    public static RefTensor Zeros(params long[] shape) => Of(shape, new double[ElementCount(shape)]);

    /// <summary>The values of a constant or test-data tensor, widened to float64.</summary>
    public static RefTensor FromTensorData(TensorData tensor) => Of(tensor.DimsArray(), tensor.ToDoubleArray());

    /// <summary>This tensor rounded to <paramref name="type"/> (to feed a model or save as test data).</summary>
    public TensorData ToTensorData(string name, OnnxDataType type) => TensorData.FromDoubles(name, type, Shape, Data);

    /// <summary>The same data viewed with another shape of the same element count.</summary>
    public RefTensor Reshaped(params long[] shape) => Of(shape, Data);

    /// <summary>Row-major strides (in elements) of <paramref name="shape"/>.</summary>
    public static long[] StridesOf(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>Product of the dims.</summary>
    public static int ElementCount(IEnumerable<long> shape)
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        return checked((int)count);
    }

    /// <summary>Largest absolute value (0 for an empty tensor).</summary>
    public double MaxAbs() => Data.Length == 0 ? 0 : Data.Max(Math.Abs);

    /// <summary>Largest absolute elementwise difference; the shapes must agree.</summary>
    public double MaxAbsDiff(RefTensor other)
    {
        if (!Shape.SequenceEqual(other.Shape))
            throw new ArgumentException($"shape [{string.Join(",", Shape)}] differs from [{string.Join(",", other.Shape)}]");
        double max = 0;
        for (int i = 0; i < Data.Length; i++)
        {
            double d = Math.Abs(Data[i] - other.Data[i]);
            if (double.IsNaN(d)) return double.NaN;
            max = Math.Max(max, d);
        }
        return max;
    }

    /// <summary><c>RefTensor[2,3]</c>.</summary>
    public override string ToString() => $"RefTensor[{string.Join(",", Shape)}]";
}
