using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// Pad and Split: ops that only move (or repeat) elements, with their opset-dependent argument forms.
public sealed partial class ReferenceEvaluator
{
    /// <summary>
    /// Pad in modes constant, reflect and edge. From opset 11 pads (begins of every padded axis, then ends) and the
    /// constant value are inputs, and from 18 an axes input picks the padded axes; before 11 they are the
    /// <c>pads</c> (opset 1: <c>paddings</c>) and <c>value</c> attributes. A negative pad crops; reflect and edge
    /// read the whole input, as if every positive pad were applied before the crops.
    /// </summary>
    /// <exception cref="NotSupportedException">Mode wrap (opset 19) or another mode.</exception>
    private RefTensor Pad(Node node, RefTensor x, RefTensor? padsInput, RefTensor? valueInput, RefTensor? axesInput)
    {
        string mode = node.GetString("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge"))
            throw UnsupportedAttribute(node, "mode", mode);
        long[] pads;
        double value;
        if (_opset >= 11)
        {
            pads = padsInput?.Data.Select(p => (long)p).ToArray()
                ?? throw new ArgumentException($"Reference evaluator: Pad '{node.DisplayName}' has no pads input.");
            value = valueInput is { Size: > 0 } v ? v.Data[0] : 0;
        }
        else
        {
            pads = node.GetInts("pads") ?? node.GetInts("paddings")
                ?? throw new ArgumentException($"Reference evaluator: Pad '{node.DisplayName}' has no pads attribute.");
            value = node.GetFloat("value", 0);
        }
        int rank = x.Rank;
        int[] axes = axesInput is { } a ? a.Data.Select(v => Axis((long)v, rank)).ToArray() : [.. Enumerable.Range(0, rank)];
        if (pads.Length != 2 * axes.Length)
            throw new ArgumentException($"Reference evaluator: Pad '{node.DisplayName}' has {pads.Length} pads for {axes.Length} axes.");
        var begin = new long[rank];
        var end = new long[rank];
        for (int i = 0; i < axes.Length; i++)
        {
            begin[axes[i]] = pads[i];
            end[axes[i]] = pads[axes.Length + i];
        }
        var shape = x.Shape.Select((d, i) => d + begin[i] + end[i]).ToArray();
        long[] strides = RefTensor.StridesOf(x.Shape);
        var coords = Coordinates(shape);
        var y = new double[coords.Length];
        for (int o = 0; o < y.Length; o++)
        {
            long offset = 0;
            bool inside = true;
            for (int d = 0; d < rank && inside; d++)
            {
                long i = coords[o][d] - begin[d], n = x.Shape[d];
                if (i < 0 || i >= n)
                {
                    if (mode == "constant") inside = false;
                    else i = mode == "edge" ? Math.Clamp(i, 0, n - 1) : Reflect(i, n);
                }
                offset += i * strides[d];
            }
            y[o] = inside ? x.Data[offset] : value;
        }
        return RefTensor.Of(shape, y);
    }

    /// <summary>Index <paramref name="i"/> mirrored into [0, n) about the first and last elements (numpy reflect).</summary>
    private static long Reflect(long i, long n)
    {
        if (n == 1) return 0;
        long period = 2 * (n - 1);
        i = ((i % period) + period) % period;
        return i < n ? i : period - i;
    }

    /// <summary>
    /// Split along <c>axis</c> into one tensor per node output: by the sizes of the split input (opset 13+) or
    /// attribute (before 13); else, from opset 18, into <c>num_outputs</c> chunks of ceil(dim / num_outputs) with a
    /// smaller last one; else into equal parts.
    /// </summary>
    private RefTensor[] Split(Node node, RefTensor x, RefTensor? splitInput)
    {
        int axis = Axis(node.GetInt("axis", 0), x.Rank);
        long dim = x.Shape[axis];
        int count = node.Outputs.Count;
        var given = _opset >= 13 ? splitInput?.Data.Select(v => (long)v).ToArray() : node.GetInts("split");
        long[] sizes = given is { Length: > 0 } ? given : EqualSplit(node, dim, count);
        if (sizes.Length != count || sizes.Sum() != dim || sizes.Any(s => s < 0))
            throw new ArgumentException($"Reference evaluator: Split '{node.DisplayName}' cannot cut {dim} into [{string.Join(",", sizes)}] for {count} outputs.");
        long outer = x.Shape[..axis].Aggregate(1L, (p, d) => p * d);
        long inner = x.Shape[(axis + 1)..].Aggregate(1L, (p, d) => p * d);
        var results = new RefTensor[count];
        long start = 0;
        for (int k = 0; k < count; k++)
        {
            var y = new double[outer * sizes[k] * inner];
            for (long o = 0; o < outer; o++)
                Array.Copy(x.Data, (o * dim + start) * inner, y, o * sizes[k] * inner, sizes[k] * inner);
            var shape = (long[])x.Shape.Clone();
            shape[axis] = sizes[k];
            results[k] = RefTensor.Of(shape, y);
            start += sizes[k];
        }
        return results;
    }

    private static long[] EqualSplit(Node node, long dim, int count)
    {
        long parts = node.GetInt("num_outputs", 0);
        if (parts > 0)
        {
            long chunk = (dim + parts - 1) / parts;
            return [.. Enumerable.Repeat(chunk, (int)parts - 1), dim - chunk * (parts - 1)];
        }
        if (dim % count != 0)
            throw new ArgumentException($"Reference evaluator: Split '{node.DisplayName}' cannot cut {dim} into {count} equal parts.");
        return [.. Enumerable.Repeat(dim / count, count)];
    }

    /// <summary>An attribute value the evaluator does not implement: named, never approximated.</summary>
    private static NotSupportedException UnsupportedAttribute(Node node, string attribute, string value) =>
        new($"Reference evaluator: {node.OpType} '{node.DisplayName}' with {attribute}='{value}' is not implemented.");
}
