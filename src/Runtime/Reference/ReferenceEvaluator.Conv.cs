using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// Conv and ConvTranspose of any spatial rank, straight from the operator spec: one multiply-add per (output,
// input channel, kernel tap), with explicit index arithmetic rather than im2col so the oracle stays obviously right.
public sealed partial class ReferenceEvaluator
{
    private static RefTensor Conv(Node node, RefTensor x, RefTensor w, RefTensor? bias)
    {
        int k = x.Rank - 2;
        long n = x.Shape[0], c = x.Shape[1], m = w.Shape[0];
        long group = node.GetInt("group", 1);
        long cg = c / group, mg = m / group;
        if (w.Shape[1] != cg)
            throw new ArgumentException($"Conv '{node.DisplayName}': weight has {w.Shape[1]} input channels per group, input has {cg}.");
        long[] inSp = x.Shape[2..], ker = w.Shape[2..];
        long[] strides = IntsOr(node, "strides", k, 1), dil = IntsOr(node, "dilations", k, 1);
        var (pb, pe) = ConvPads(node, inSp, ker, strides, dil);
        var outSp = new long[k];
        for (int i = 0; i < k; i++)
            outSp[i] = (inSp[i] + pb[i] + pe[i] - ((ker[i] - 1) * dil[i] + 1)) / strides[i] + 1;

        int inCount = RefTensor.ElementCount(inSp), outCount = RefTensor.ElementCount(outSp), kerCount = RefTensor.ElementCount(ker);
        var taps = Coordinates(ker);
        var outCoords = Coordinates(outSp);
        long[] inStrides = RefTensor.StridesOf(inSp);
        // Input offset of every (output position, tap), or −1 where the tap reads zero padding: the same for every
        // batch item and channel, so computed once.
        var source = new long[outCount * kerCount];
        for (int o = 0; o < outCount; o++)
            for (int t = 0; t < kerCount; t++)
            {
                long offset = 0;
                for (int i = 0; i < k && offset >= 0; i++)
                {
                    long pos = outCoords[o][i] * strides[i] - pb[i] + taps[t][i] * dil[i];
                    offset = pos >= 0 && pos < inSp[i] ? offset + pos * inStrides[i] : -1;
                }
                source[o * kerCount + t] = offset;
            }
        var y = new double[n * m * outCount];
        for (long b = 0; b < n; b++)
            for (long oc = 0; oc < m; oc++)
            {
                long g = oc / mg;
                for (int o = 0; o < outCount; o++)
                {
                    double acc = bias?.Data[oc] ?? 0;
                    for (long ci = 0; ci < cg; ci++)
                    {
                        long xBase = (b * c + g * cg + ci) * inCount, wBase = (oc * cg + ci) * kerCount;
                        for (int t = 0; t < kerCount; t++)
                            if (source[o * kerCount + t] is var offset and >= 0)
                                acc += x.Data[xBase + offset] * w.Data[wBase + t];
                    }
                    y[(b * m + oc) * outCount + o] = acc;
                }
            }
        return RefTensor.Of([n, m, .. outSp], y);
    }

    private static RefTensor ConvTranspose(Node node, RefTensor x, RefTensor w, RefTensor? bias)
    {
        int k = x.Rank - 2;
        long n = x.Shape[0], c = x.Shape[1];
        long group = node.GetInt("group", 1);
        long cg = c / group, mg = w.Shape[1], m = mg * group;
        long[] inSp = x.Shape[2..], ker = w.Shape[2..];
        long[] strides = IntsOr(node, "strides", k, 1), dil = IntsOr(node, "dilations", k, 1);
        long[] outPad = IntsOr(node, "output_padding", k, 0);
        var (pb, outSp) = ConvTransposeGeometry(node, inSp, ker, strides, dil, outPad);

        int inCount = RefTensor.ElementCount(inSp), outCount = RefTensor.ElementCount(outSp), kerCount = RefTensor.ElementCount(ker);
        var taps = Coordinates(ker);
        var inCoords = Coordinates(inSp);
        long[] outStrides = RefTensor.StridesOf(outSp);
        var y = new double[n * m * outCount];
        for (long b = 0; b < n; b++)
            for (long ci = 0; ci < c; ci++)
            {
                long g = ci / cg;
                for (int p = 0; p < inCount; p++)
                {
                    double xv = x.Data[(b * c + ci) * inCount + p];
                    for (long mi = 0; mi < mg; mi++)
                    {
                        long oc = g * mg + mi, wBase = (ci * mg + mi) * kerCount, yBase = (b * m + oc) * outCount;
                        for (int t = 0; t < kerCount; t++)
                        {
                            long offset = 0;
                            bool inside = true;
                            for (int i = 0; i < k && inside; i++)
                            {
                                long pos = inCoords[p][i] * strides[i] + taps[t][i] * dil[i] - pb[i];
                                inside = pos >= 0 && pos < outSp[i];
                                offset += pos * outStrides[i];
                            }
                            if (inside)
                                y[yBase + offset] += xv * w.Data[wBase + t];
                        }
                    }
                }
            }
        if (bias is not null)
            for (long b = 0; b < n; b++)
                for (long oc = 0; oc < m; oc++)
                    for (int o = 0; o < outCount; o++)
                        y[(b * m + oc) * outCount + o] += bias.Data[oc];
        return RefTensor.Of([n, m, .. outSp], y);
    }

    /// <summary>Begin and end pads of a Conv or pool, from explicit pads or auto_pad.</summary>
    private static (long[] Begin, long[] End) ConvPads(Node node, long[] inSp, long[] ker, long[] strides, long[] dil)
    {
        int k = inSp.Length;
        string autoPad = node.GetString("auto_pad", "NOTSET");
        var begin = new long[k];
        var end = new long[k];
        switch (autoPad)
        {
            case "NOTSET" or "":
                var pads = IntsOr(node, "pads", 2 * k, 0);
                Array.Copy(pads, 0, begin, 0, k);
                Array.Copy(pads, k, end, 0, k);
                break;
            case "VALID":
                break;
            case "SAME_UPPER" or "SAME_LOWER":
                for (int i = 0; i < k; i++)
                {
                    long outLen = (inSp[i] + strides[i] - 1) / strides[i];
                    long total = Math.Max(0, (outLen - 1) * strides[i] + (ker[i] - 1) * dil[i] + 1 - inSp[i]);
                    // SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning.
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
                break;
            default:
                throw new NotSupportedException($"Reference evaluator: auto_pad '{autoPad}' of node '{node.DisplayName}'.");
        }
        return (begin, end);
    }

    /// <summary>ConvTranspose's begin pads and output spatial shape (from output_shape, auto_pad or pads).</summary>
    private static (long[] Begin, long[] OutShape) ConvTransposeGeometry(Node node, long[] inSp, long[] ker, long[] strides, long[] dil, long[] outPad)
    {
        int k = inSp.Length;
        string autoPad = node.GetString("auto_pad", "NOTSET");
        var full = new long[k];
        for (int i = 0; i < k; i++)
            full[i] = strides[i] * (inSp[i] - 1) + outPad[i] + (ker[i] - 1) * dil[i] + 1;
        long[]? outShape = node.GetInts("output_shape") is { Length: > 0 } os ? os[^k..] : null;
        if (outShape is null && autoPad is "SAME_UPPER" or "SAME_LOWER")
            outShape = inSp.Select((d, i) => d * strides[i]).ToArray();
        var begin = new long[k];
        if (outShape is not null)
        {
            for (int i = 0; i < k; i++)
            {
                long total = full[i] - outShape[i];
                begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
            }
            return (begin, outShape);
        }
        var pads = autoPad == "VALID" ? new long[2 * k] : IntsOr(node, "pads", 2 * k, 0);
        var shape = new long[k];
        for (int i = 0; i < k; i++)
        {
            begin[i] = pads[i];
            shape[i] = full[i] - pads[i] - pads[k + i];
        }
        return (begin, shape);
    }

    /// <summary>Every coordinate of <paramref name="shape"/> in row-major order.</summary>
    private static long[][] Coordinates(long[] shape)
    {
        int count = RefTensor.ElementCount(shape);
        var result = new long[count][];
        for (int idx = 0; idx < count; idx++)
        {
            var coord = new long[shape.Length];
            long rest = idx;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                coord[i] = rest % shape[i];
                rest /= shape[i];
            }
            result[idx] = coord;
        }
        return result;
    }
}
