namespace OnnxBn.Folding;

/// <summary>Output shapes op by op.</summary>
public sealed partial class ShapeInference
{
    private Dimension[]? Input(Node node, int index) =>
        node.Input(index) is { Length: > 0 } name ? _shapes.GetValueOrDefault(name) : null;

    private Dimension[]? Infer(Node node)
    {
        var traits = OpTraits.Of(node);
        var x = Input(node, 0);
        if ((traits & OpTrait.SameShape) != 0)
            return node.Is("BatchNormalization") ? WithChannels(x, node) : x;
        if ((traits & OpTrait.Broadcasting) != 0)
            return Broadcast(node.Inputs.Where(i => i.Length > 0).Select(i => _shapes.GetValueOrDefault(i)).ToList());
        if ((traits & OpTrait.GlobalPooling) != 0)
            return x is { Length: >= 2 } ? [x[0], x[1], .. Enumerable.Repeat(Known(1), x.Length - 2)] : null;
        if ((traits & OpTrait.Pooling) != 0)
            return x is not null && node.GetInts("kernel_shape") is { } k ? Spatial(node, x, x[1], k) : null;
        return node.OpType switch
        {
            "Shape" => x is null ? [Unknown] : [Known(ShapeSlice(node, x.Length) is var (from, to) ? to - from : 0)],
            "Size" => [],
            "Gather" => Gather(node, x),
            "Slice" => Slice(node, x),
            "Concat" => Concat(node),
            "Unsqueeze" => Unsqueeze(x, Axes(node)),
            "Squeeze" => Squeeze(node, x),
            "Reshape" => Reshape(node, x),
            "Flatten" => x is null ? null : Flatten(x, (int)node.GetInt("axis", 1)),
            "Transpose" => Transpose(node, x),
            "Expand" => ValuesOf(node.Input(1)) is { } target && x is not null ? Broadcast([x, target.ToArray()]) : null,
            "ConstantOfShape" => ValuesOf(node.Input(0))?.ToArray(),
            "Pad" => Pad(node, x),
            "Conv" => Input(node, 1) is { Length: >= 3 } w && x is not null ? Spatial(node, x, w[0], Kernel(node, w)) : ConvRank(x, Input(node, 1)),
            "ConvTranspose" => ConvTranspose(node, x),
            "Gemm" => Gemm(node, x),
            "MatMul" => MatMul(x, Input(node, 1)),
            "Resize" or "Upsample" => x?.Select(_ => Unknown).ToArray(),
            _ when node.OpType.StartsWith("Reduce", StringComparison.Ordinal) => Reduce(node, x),
            _ => null,
        };
    }

    /// <summary>BatchNormalization: x's shape, with axis 1 read from the constant scale when x does not declare it.</summary>
    private Dimension[]? WithChannels(Dimension[]? x, Node bn)
    {
        if (x is not { Length: >= 2 } || x[1].IsKnown || !_graph.TryGetConstant(bn.Input(1), out var scale)) return x;
        var result = x.ToArray();
        result[1] = Known(scale.ElementCount);
        return result;
    }

    /// <summary>Numpy broadcasting: aligned from the end, a known size above 1 wins, 1 only when every operand has 1.</summary>
    private static Dimension[]? Broadcast(IReadOnlyList<Dimension[]?> shapes)
    {
        if (shapes.Count == 0 || shapes.Any(s => s is null)) return null;
        int rank = shapes.Max(s => s!.Length);
        var result = new Dimension[rank];
        for (int i = 1; i <= rank; i++)
        {
            Dimension? chosen = null;
            bool allOne = true;
            foreach (var s in shapes)
            {
                if (s!.Length < i) continue;
                var d = s[^i];
                if (d.Value is > 1) { chosen = d; break; }
                if (d.Value != 1)
                {
                    allOne = false;
                    chosen ??= d.Symbol is not null ? d : null;
                }
            }
            result[^i] = chosen is { IsKnown: true } ? chosen.Value : allOne ? Known(1) : chosen ?? Unknown;
        }
        return result;
    }

    /// <summary>[N, C, out...], out = floor((in + pads − dilation·(k−1) − 1) / stride) + 1 (ceil_mode rounds up).</summary>
    private static Dimension[]? Spatial(Node node, Dimension[] x, Dimension channels, long[] kernel)
    {
        int axes = kernel.Length;
        if (x.Length != axes + 2) return null;
        var result = new Dimension[x.Length];
        result[0] = x[0];
        result[1] = channels;
        string autoPad = node.GetString("auto_pad", "NOTSET");
        var strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, axes).ToArray();
        var dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, axes).ToArray();
        var pads = node.GetInts("pads") ?? new long[2 * axes];
        bool ceil = node.GetInt("ceil_mode", 0) != 0;
        for (int i = 0; i < axes; i++)
        {
            if (x[i + 2].Value is not long size || strides[i] <= 0 || kernel[i] <= 0)
            {
                result[i + 2] = Unknown;
                continue;
            }
            long extent = dilations[i] * (kernel[i] - 1) + 1;
            result[i + 2] = Known(autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (size + strides[i] - 1) / strides[i],
                "VALID" => (size - extent) / strides[i] + 1,
                _ when ceil => (size + pads[i] + pads[i + axes] - extent + strides[i] - 1) / strides[i] + 1,
                _ => (size + pads[i] + pads[i + axes] - extent) / strides[i] + 1,
            });
        }
        return result;
    }

    private static long[] Kernel(Node node, Dimension[] w) =>
        node.GetInts("kernel_shape") ?? w.Skip(2).Select(d => d.Value ?? -1).ToArray();

    /// <summary>A Conv whose weight or input shape is partly unknown still has the input's rank (and the weight's channel count).</summary>
    private static Dimension[]? ConvRank(Dimension[]? x, Dimension[]? w)
    {
        if (x is null) return w is { Length: >= 3 } ? [Unknown, w[0], .. Enumerable.Repeat(Unknown, w.Length - 2)] : null;
        return [x[0], w is { Length: >= 1 } ? w[0] : Unknown, .. Enumerable.Repeat(Unknown, Math.Max(0, x.Length - 2))];
    }

    /// <summary>[N, group·W[1], out...], out = stride·(in − 1) + output_padding + dilation·(k − 1) + 1 − pads.</summary>
    private Dimension[]? ConvTranspose(Node node, Dimension[]? x)
    {
        var w = Input(node, 1);
        if (w is not { Length: >= 3 }) return x?.Select(_ => Unknown).ToArray();
        var channels = w[1].Value is long c ? Known(node.GetInt("group", 1) * c) : Unknown;
        int axes = w.Length - 2;
        if (x is null) return [Unknown, channels, .. Enumerable.Repeat(Unknown, axes)];
        if (x.Length != w.Length) return null;
        var result = new Dimension[x.Length];
        result[0] = x[0];
        result[1] = channels;
        var outputShape = node.GetInts("output_shape");
        var strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, axes).ToArray();
        var dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, axes).ToArray();
        var outputPadding = node.GetInts("output_padding") ?? new long[axes];
        var pads = node.GetInts("pads") ?? new long[2 * axes];
        var kernel = Kernel(node, w);
        bool explicitPads = node.GetString("auto_pad", "NOTSET") is "NOTSET";
        for (int i = 0; i < axes; i++)
            result[i + 2] = outputShape is { } o && o.Length == axes ? Known(o[i])
                : x[i + 2].Value is long size && kernel[i] > 0 && explicitPads
                    ? Known(strides[i] * (size - 1) + outputPadding[i] + dilations[i] * (kernel[i] - 1) + 1 - pads[i] - pads[i + axes])
                    : Unknown;
        return result;
    }

    private Dimension[]? Gemm(Node node, Dimension[]? a)
    {
        var b = Input(node, 1);
        var rows = a is { Length: 2 } ? a[node.GetInt("transA", 0) == 0 ? 0 : 1] : Unknown;
        var columns = b is { Length: 2 } ? b[node.GetInt("transB", 0) == 0 ? 1 : 0] : Unknown;
        return [rows, columns];
    }

    /// <summary>numpy.matmul: 1-D operands are promoted and the added axis removed; batch axes broadcast.</summary>
    private static Dimension[]? MatMul(Dimension[]? a, Dimension[]? b)
    {
        if (a is null || b is null || a.Length == 0 || b.Length == 0) return null;
        if (a.Length == 1 && b.Length == 1) return [];
        if (a.Length == 1) return [.. b[..^2], b[^1]];
        if (b.Length == 1) return a[..^1];
        var batch = Broadcast([a[..^2], b[..^2]]);
        return batch is null ? null : [.. batch, a[^2], b[^1]];
    }

    private static Dimension[] Flatten(Dimension[] x, int axis)
    {
        if (axis < 0) axis += x.Length;
        return [Product(x[..axis]), Product(x[axis..])];
    }

    private static Dimension Product(Dimension[] dims)
    {
        if (dims.Length == 1) return dims[0];
        return dims.All(d => d.IsKnown) ? Known(dims.Aggregate(1L, (p, d) => checked(p * d.Value!.Value))) : Unknown;
    }

    private Dimension[]? Transpose(Node node, Dimension[]? x)
    {
        if (x is null) return null;
        var perm = node.GetInts("perm") ?? Enumerable.Range(0, x.Length).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != x.Length) return null;
        return perm.Select(p => x[p]).ToArray();
    }

    private Dimension[]? Gather(Node node, Dimension[]? data)
    {
        var indices = Input(node, 1);
        if (data is null || indices is null) return null;
        int axis = (int)node.GetInt("axis", 0);
        if (axis < 0) axis += data.Length;
        return [.. data[..axis], .. indices, .. data[(axis + 1)..]];
    }

    private Dimension[]? Slice(Node node, Dimension[]? x)
    {
        if (x is null) return null;
        var result = x.ToArray();
        if (SliceSpec(node, x.Length) is not { } spec)
        {
            // Which axes are cut is unknown: every dim may change, the rank does not.
            return x.Select(_ => Unknown).ToArray();
        }
        foreach (var (axis, start, end, step) in spec)
            result[axis] = x[axis].Value is long size ? Known(SliceLength(size, start, end, step)) : Unknown;
        return result;
    }

    private Dimension[]? Concat(Node node)
    {
        var parts = node.Inputs.Where(i => i.Length > 0).Select(i => _shapes.GetValueOrDefault(i)).ToList();
        var first = parts.FirstOrDefault(p => p is not null);
        if (first is null) return null;
        int axis = (int)node.GetInt("axis", 0);
        if (axis < 0) axis += first.Length;
        var result = new Dimension[first.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (i == axis)
            {
                result[i] = parts.All(p => p is not null && p[i].IsKnown) ? Known(parts.Sum(p => p![i].Value!.Value)) : Unknown;
                continue;
            }
            result[i] = parts.Where(p => p is not null).Select(p => p![i]).FirstOrDefault(d => d.IsKnown, first[i]);
        }
        return result;
    }

    private static Dimension[]? Unsqueeze(Dimension[]? x, long[]? axes)
    {
        if (x is null || axes is null) return null;
        int rank = x.Length + axes.Length;
        var inserted = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
        var result = new Dimension[rank];
        int next = 0;
        for (int i = 0; i < rank; i++)
            result[i] = inserted.Contains(i) ? Known(1) : x[next++];
        return next == x.Length ? result : null;
    }

    private Dimension[]? Squeeze(Node node, Dimension[]? x)
    {
        if (x is null) return null;
        var axes = Axes(node);
        if (axes is null && !(node.GetInts("axes") is null && node.Input(1).Length == 0)) return null;
        if (axes is null)
            return x.All(d => d.IsKnown) ? x.Where(d => d.Value != 1).ToArray() : null;
        var removed = axes.Select(a => a < 0 ? a + x.Length : a).ToHashSet();
        return x.Where((_, i) => !removed.Contains(i)).ToArray();
    }

    /// <summary>Reshape to the tracked entries of its shape input: 0 copies the input's dim (unless allowzero), −1 is what is left.</summary>
    private Dimension[]? Reshape(Node node, Dimension[]? x)
    {
        if (ValuesOf(node.Input(1)) is not { } target)
            return _shapes.TryGetValue(node.Input(1), out var s) && s is [{ Value: long n }] ? Enumerable.Repeat(Unknown, (int)n).ToArray() : null;
        bool allowZero = node.GetInt("allowzero", 0) != 0;
        var result = new Dimension[target.Count];
        int inferred = -1;
        for (int i = 0; i < target.Count; i++)
        {
            var entry = target[i];
            if (entry.Value == 0 && !allowZero)
                result[i] = x is not null && i < x.Length ? x[i] : Unknown;
            else if (entry.Value == -1)
            {
                inferred = i;
                result[i] = Unknown;
            }
            else
                result[i] = entry;
        }
        if (inferred >= 0 && x is not null)
            result[inferred] = Remaining(x, result.Where((_, i) => i != inferred).ToArray());
        return result;
    }

    /// <summary>
    /// The −1 entry of a Reshape: x's element count over the other entries' product. Symbolic dims cancel when both
    /// sides have the same ones (x:[N,C,H,W] → [N,−1]); any unknown dim makes it unknown.
    /// </summary>
    private static Dimension Remaining(Dimension[] x, Dimension[] others)
    {
        if (x.Concat(others).Any(d => !d.IsKnown && d.Symbol is null)) return Unknown;
        var symbols = x.Where(d => !d.IsKnown).Select(d => d.Symbol!).Order(StringComparer.Ordinal).ToList();
        var otherSymbols = others.Where(d => !d.IsKnown).Select(d => d.Symbol!).Order(StringComparer.Ordinal).ToList();
        if (!symbols.SequenceEqual(otherSymbols, StringComparer.Ordinal)) return Unknown;
        long total = x.Where(d => d.IsKnown).Aggregate(1L, (p, d) => checked(p * d.Value!.Value));
        long rest = others.Where(d => d.IsKnown).Aggregate(1L, (p, d) => checked(p * d.Value!.Value));
        return rest > 0 && total % rest == 0 ? Known(total / rest) : Unknown;
    }

    private Dimension[]? Pad(Node node, Dimension[]? x)
    {
        if (x is null) return null;
        long[]? pads = node.GetInts("pads") ?? (ValuesOf(node.Input(1)) is { } p && p.All(d => d.IsKnown) ? p.Select(d => d.Value!.Value).ToArray() : null);
        if (pads is null || pads.Length != 2 * x.Length) return x.Select(_ => Unknown).ToArray();
        return x.Select((d, i) => d.Value is long v ? Known(v + pads[i] + pads[i + x.Length]) : Unknown).ToArray();
    }

    private Dimension[]? Reduce(Node node, Dimension[]? x)
    {
        if (x is null) return null;
        bool keep = node.GetInt("keepdims", 1) != 0;
        var axes = Axes(node);
        bool noAxes = axes is null && node.GetInts("axes") is null && node.Input(1).Length == 0;
        if (axes is null && !noAxes) return keep ? x.Select(_ => Unknown).ToArray() : null;
        var reduced = noAxes ? Enumerable.Range(0, x.Length).ToHashSet()
            : axes!.Select(a => (int)(a < 0 ? a + x.Length : a)).ToHashSet();
        if (noAxes && node.GetInt("noop_with_empty_axes", 0) != 0) return x;
        return keep ? x.Select((d, i) => reduced.Contains(i) ? Known(1) : d).ToArray()
            : x.Where((_, i) => !reduced.Contains(i)).ToArray();
    }

    /// <summary>The axes of an Unsqueeze/Squeeze/Reduce: the attribute (older opsets) or the constant second input.</summary>
    private long[]? Axes(Node node)
    {
        if (node.GetInts("axes") is { } axes) return axes;
        return node.Input(1).Length > 0 && ValuesOf(node.Input(1)) is { } v && v.All(d => d.IsKnown)
            ? v.Select(d => d.Value!.Value).ToArray() : null;
    }

}
