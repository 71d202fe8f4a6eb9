using OnnxBn.Folding;

namespace OnnxBn.Runtime.Data;

/// <summary>A short description of a tensor's values: count, min, max, mean and the first few values.</summary>
public sealed record TensorSummary(long Count, double Min, double Max, double Mean, IReadOnlyList<double> First)
{
    /// <summary>Summarizes a numeric or boolean tensor (values compared as float64; NaNs are skipped for min/max/mean).</summary>
    public static TensorSummary Of(TensorData tensor, int first = 8)
    {
        var values = tensor.ElementType == OnnxDataType.Bool
            ? tensor.ToArray<bool>().Select(b => b ? 1.0 : 0.0).ToArray()
            : tensor.ToDoubleArray();
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long finite = 0;
        foreach (var v in values)
        {
            if (double.IsNaN(v))
                continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            finite++;
        }
        return finite == 0
            ? new TensorSummary(values.Length, double.NaN, double.NaN, double.NaN, values.Take(first).ToArray())
            : new TensorSummary(values.Length, min, max, sum / finite, values.Take(first).ToArray());
    }

    /// <summary>
    /// The <paramref name="k"/> largest entries of each row of an [N, C] tensor as (class index, score), best first;
    /// ties keep the lower index first.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not two-dimensional.</exception>
    public static IReadOnlyList<IReadOnlyList<(int Class, double Score)>> TopK(TensorData tensor, int k)
    {
        if (tensor.Rank != 2)
            throw new ArgumentException($"Tensor '{tensor.Name}' is not [N, C].", nameof(tensor));
        var rows = (int)tensor.Dims[0];
        var classes = (int)tensor.Dims[1];
        var values = tensor.ToDoubleArray();
        var result = new List<IReadOnlyList<(int, double)>>(rows);
        for (var r = 0; r < rows; r++)
        {
            result.Add(Enumerable.Range(0, classes)
                .Select(c => (Class: c, Score: values[r * classes + c]))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Class)
                .Take(k)
                .ToArray());
        }
        return result;
    }
}
