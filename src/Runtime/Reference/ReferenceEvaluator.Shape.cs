using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// Data movement (Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Shape, Gather, 1-D Slice, Cast) and pooling.
public sealed partial class ReferenceEvaluator
{
    private static RefTensor Flatten(Node node, RefTensor x)
    {
        int axis = Axis(node.GetInt("axis", 1), x.Rank);
        long outer = x.Shape[..axis].Aggregate(1L, (p, d) => p * d);
        return x.Reshaped(outer, x.Size / Math.Max(outer, 1));
    }

    /// <summary>Reshape: 0 copies the input dim (unless allowzero), −1 takes what is left.</summary>
    private static RefTensor Reshape(Node node, RefTensor x, RefTensor shapeTensor)
    {
        bool allowZero = node.GetInt("allowzero", 0) != 0;
        var shape = shapeTensor.Data.Select(d => (long)d).ToArray();
        for (int i = 0; i < shape.Length; i++)
            if (shape[i] == 0 && !allowZero) shape[i] = x.Shape[i];
        int unknown = Array.IndexOf(shape, -1L);
        if (unknown >= 0)
            shape[unknown] = x.Size / shape.Where((d, i) => i != unknown).Aggregate(1L, (p, d) => p * d);
        return x.Reshaped(shape);
    }

    /// <summary>Transpose by <paramref name="perm"/> (reversed dims when absent).</summary>
    internal static RefTensor Transpose(RefTensor x, long[]? perm)
    {
        perm ??= Enumerable.Range(0, x.Rank).Reverse().Select(i => (long)i).ToArray();
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        long[] inStrides = RefTensor.StridesOf(x.Shape);
        var coords = Coordinates(shape);
        var y = new double[x.Size];
        for (int i = 0; i < y.Length; i++)
        {
            long offset = 0;
            for (int d = 0; d < perm.Length; d++) offset += coords[i][d] * inStrides[perm[d]];
            y[i] = x.Data[offset];
        }
        return RefTensor.Of(shape, y);
    }

    private long[]? AxesOf(Node node, RefTensor? axesInput) =>
        _opset >= 13 ? axesInput?.Data.Select(a => (long)a).ToArray() : node.GetInts("axes");

    private RefTensor Squeeze(Node node, RefTensor x, RefTensor? axesInput)
    {
        var axes = AxesOf(node, axesInput)?.Select(a => Axis(a, x.Rank)).ToHashSet();
        var shape = x.Shape.Where((d, i) => axes is null ? d != 1 : !axes.Contains(i)).ToArray();
        return x.Reshaped(shape);
    }

    private RefTensor Unsqueeze(Node node, RefTensor x, RefTensor? axesInput)
    {
        var axes = AxesOf(node, axesInput) ?? throw new ArgumentException($"Unsqueeze '{node.DisplayName}' has no axes.");
        int rank = x.Rank + axes.Length;
        var set = axes.Select(a => Axis(a, rank)).ToHashSet();
        var shape = new long[rank];
        for (int i = 0, j = 0; i < rank; i++)
            shape[i] = set.Contains(i) ? 1 : x.Shape[j++];
        return x.Reshaped(shape);
    }

    private static RefTensor Concat(Node node, RefTensor?[] parts)
    {
        var xs = parts.Where(p => p is not null).Select(p => p!).ToArray();
        int axis = Axis(node.GetInt("axis", 0), xs[0].Rank);
        long outer = xs[0].Shape[..axis].Aggregate(1L, (p, d) => p * d);
        var shape = (long[])xs[0].Shape.Clone();
        shape[axis] = xs.Sum(x => x.Shape[axis]);
        var y = new List<double>();
        for (long o = 0; o < outer; o++)
            foreach (var x in xs)
            {
                int chunk = x.Size / (int)Math.Max(outer, 1);
                y.AddRange(x.Data.Skip((int)(o * chunk)).Take(chunk));
            }
        return RefTensor.Of(shape, [.. y]);
    }

    /// <summary>Shape: the dims of x from start to end (opset 15; both clamped, negative counts from the end).</summary>
    private static RefTensor Shape(Node node, RefTensor x)
    {
        int Clamp(long v) => (int)Math.Clamp(v < 0 ? v + x.Rank : v, 0, x.Rank);
        int start = Clamp(node.GetInt("start", 0)), end = Clamp(node.GetInt("end", x.Rank));
        var dims = x.Shape[start..Math.Max(start, end)].Select(d => (double)d).ToArray();
        return RefTensor.Of([dims.Length], dims);
    }

    private static RefTensor Gather(Node node, RefTensor x, RefTensor indices)
    {
        int axis = Axis(node.GetInt("axis", 0), x.Rank);
        long outer = x.Shape[..axis].Aggregate(1L, (p, d) => p * d);
        long inner = x.Shape[(axis + 1)..].Aggregate(1L, (p, d) => p * d);
        long dim = x.Shape[axis];
        var y = new List<double>();
        for (long o = 0; o < outer; o++)
            foreach (double raw in indices.Data)
            {
                long idx = (long)raw < 0 ? (long)raw + dim : (long)raw;
                for (long j = 0; j < inner; j++) y.Add(x.Data[(o * dim + idx) * inner + j]);
            }
        return RefTensor.Of([.. x.Shape[..axis], .. indices.Shape, .. x.Shape[(axis + 1)..]], [.. y]);
    }

    /// <summary>
    /// Slice (opset ≥ 10 inputs) of a 1-D tensor, the only kind a shape computation slices: starts/ends clamped as
    /// ONNX does, an optional step.
    /// </summary>
    private static RefTensor Slice(Node node, RefTensor x, RefTensor starts, RefTensor ends, RefTensor? axes, RefTensor? steps)
    {
        if (x.Rank != 1 || starts.Size != 1 || ends.Size != 1 || axes is { } a && Axis((long)a.Data[0], 1) != 0)
            throw new NotSupportedException($"Reference evaluator: Slice '{node.DisplayName}' of more than one axis.");
        long n = x.Shape[0], step = steps is null ? 1 : (long)steps.Data[0];
        long Clamp(double raw) => step > 0 ? Math.Clamp(raw < 0 ? (long)raw + n : (long)raw, 0, n)
            : Math.Clamp(raw < 0 ? (long)raw + n : (long)raw, -1, n - 1);
        var y = new List<double>();
        for (long i = Clamp(starts.Data[0]), end = Clamp(ends.Data[0]); step > 0 ? i < end : i > end; i += step)
            y.Add(x.Data[i]);
        return RefTensor.Of([y.Count], [.. y]);
    }

    /// <summary>Cast: the values are rounded as the target type would hold them.</summary>
    private static RefTensor Cast(Node node, RefTensor x)
    {
        var to = (OnnxDataType)node.GetInt("to", (long)OnnxDataType.Float);
        return to switch
        {
            OnnxDataType.Double => x,
            OnnxDataType.Float => Map(x, v => (float)v),
            OnnxDataType.Bool => Map(x, v => v != 0 ? 1 : 0),
            OnnxDataType.Float16 or OnnxDataType.BFloat16 => RefTensor.FromTensorData(x.ToTensorData("cast", to)),
            _ => Map(x, Math.Truncate),
        };
    }

    /// <summary>MaxPool / AveragePool of any spatial rank (pads, strides, dilations, ceil_mode, count_include_pad).</summary>
    private static RefTensor Pool(Node node, RefTensor x, bool max)
    {
        int k = x.Rank - 2;
        long n = x.Shape[0], c = x.Shape[1];
        long[] inSp = x.Shape[2..], ker = node.GetInts("kernel_shape")!;
        long[] strides = IntsOr(node, "strides", k, 1), dil = IntsOr(node, "dilations", k, 1);
        var (pb, pe) = ConvPads(node, inSp, ker, strides, dil);
        bool ceil = node.GetInt("ceil_mode", 0) != 0, includePad = node.GetInt("count_include_pad", 0) != 0;
        var outSp = new long[k];
        for (int i = 0; i < k; i++)
        {
            long span = inSp[i] + pb[i] + pe[i] - ((ker[i] - 1) * dil[i] + 1);
            outSp[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
            // A ceil-mode window must start inside the input or its begin padding.
            if (ceil && (outSp[i] - 1) * strides[i] >= inSp[i] + pb[i]) outSp[i]--;
        }
        int inCount = RefTensor.ElementCount(inSp), outCount = RefTensor.ElementCount(outSp);
        var taps = Coordinates(ker);
        var outCoords = Coordinates(outSp);
        long[] inStrides = RefTensor.StridesOf(inSp);
        var y = new double[n * c * outCount];
        for (long plane = 0; plane < n * c; plane++)
            for (int o = 0; o < outCount; o++)
            {
                double acc = max ? double.NegativeInfinity : 0;
                int count = 0;
                foreach (var tap in taps)
                {
                    long offset = 0;
                    bool inside = true, inPadded = true;
                    for (int i = 0; i < k; i++)
                    {
                        long pos = outCoords[o][i] * strides[i] - pb[i] + tap[i] * dil[i];
                        inside &= pos >= 0 && pos < inSp[i];
                        inPadded &= pos >= -pb[i] && pos < inSp[i] + pe[i];
                        offset += pos * inStrides[i];
                    }
                    if (inside)
                    {
                        double v = x.Data[plane * inCount + offset];
                        acc = max ? Math.Max(acc, v) : acc + v;
                    }
                    if (inside || (includePad && inPadded)) count++;
                }
                y[plane * outCount + o] = max ? acc : acc / count;
            }
        return RefTensor.Of([n, c, .. outSp], y);
    }

    private static RefTensor GlobalPool(RefTensor x, bool max)
    {
        long n = x.Shape[0], c = x.Shape[1];
        int plane = x.Size / (int)(n * c);
        var y = new double[n * c];
        for (long p = 0; p < n * c; p++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            for (int i = 0; i < plane; i++) acc = max ? Math.Max(acc, x.Data[p * plane + i]) : acc + x.Data[p * plane + i];
            y[p] = max ? acc : acc / plane;
        }
        return RefTensor.Of([n, c, .. Enumerable.Repeat(1L, x.Rank - 2)], y);
    }
}
