using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// TopK: the k largest (or smallest) elements along an axis, with their indices.
public sealed partial class ReferenceEvaluator
{
    /// <summary>
    /// TopK: K is an input from opset 10 (the <c>k</c> attribute before); <c>axis</c> (default −1), and from opset 11
    /// <c>largest</c> (default 1). Returns the values and their int64 indices (held as doubles), sorted; of equal
    /// values the lower index comes first, as the spec requires.
    /// </summary>
    /// <exception cref="NotSupportedException"><c>sorted</c> = 0: the spec leaves the order open, so no order of ours
    /// would be comparable with a runtime's.</exception>
    private RefTensor[] TopK(Node node, RefTensor x, RefTensor? kInput)
    {
        if (node.GetInt("sorted", 1) == 0)
            throw UnsupportedAttribute(node, "sorted", "0");
        long k = _opset >= 10
            ? (long)(kInput ?? throw new ArgumentException($"Reference evaluator: TopK '{node.DisplayName}' has no K input.")).Data[0]
            : node.GetInt("k", 0);
        int axis = Axis(node.GetInt("axis", -1), x.Rank);
        bool largest = node.GetInt("largest", 1) != 0;
        long dim = x.Shape[axis];
        if (k < 0 || k > dim)
            throw new ArgumentException($"Reference evaluator: TopK '{node.DisplayName}' asks for {k} of {dim} elements.");
        long outer = x.Shape[..axis].Aggregate(1L, (p, d) => p * d);
        long inner = x.Shape[(axis + 1)..].Aggregate(1L, (p, d) => p * d);
        var values = new double[outer * k * inner];
        var indices = new double[values.Length];
        for (long o = 0; o < outer; o++)
            for (long j = 0; j < inner; j++)
            {
                double At(long i) => x.Data[(o * dim + i) * inner + j];
                // OrderBy is stable: equal values keep ascending index order.
                var range = Enumerable.Range(0, (int)dim).Select(i => (long)i);
                var order = (largest ? range.OrderByDescending(At) : range.OrderBy(At)).Take((int)k).ToArray();
                for (long r = 0; r < k; r++)
                {
                    values[(o * k + r) * inner + j] = At(order[r]);
                    indices[(o * k + r) * inner + j] = order[r];
                }
            }
        var shape = (long[])x.Shape.Clone();
        shape[axis] = k;
        return [RefTensor.Of(shape, values), RefTensor.Of((long[])shape.Clone(), indices)];
    }
}
