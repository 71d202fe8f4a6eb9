using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// Resize (opsets 11-18): nearest and N-linear interpolation.
public sealed partial class ReferenceEvaluator
{
    /// <summary>
    /// Resize with inputs (X, roi, scales, sizes): the output dims are floor(dim · scale), or the sizes (then each
    /// scale is size / dim); from opset 18 the <c>axes</c> attribute names the axes those inputs describe. Modes
    /// nearest (every <c>nearest_mode</c>) and linear (interpolating every axis whose coordinate falls between two
    /// samples, the source coordinate clamped to the input as the spec's edge padding does); coordinate
    /// transformations half_pixel, pytorch_half_pixel, align_corners, asymmetric and tf_half_pixel_for_nn.
    /// </summary>
    /// <exception cref="NotSupportedException">Opset 10, mode cubic, tf_crop_and_resize or half_pixel_symmetric,
    /// antialias, or a keep_aspect_ratio_policy other than stretch: named, never approximated.</exception>
    private RefTensor Resize(Node node, RefTensor x, RefTensor? scalesInput, RefTensor? sizesInput)
    {
        if (_opset < 11)
            throw new NotSupportedException($"Reference evaluator: Resize '{node.DisplayName}' of opset {_opset} (before 11) is not implemented.");
        string mode = node.GetString("mode", "nearest");
        string transform = node.GetString("coordinate_transformation_mode", "half_pixel");
        string nearestMode = node.GetString("nearest_mode", "round_prefer_floor");
        if (mode is not ("nearest" or "linear"))
            throw UnsupportedAttribute(node, "mode", mode);
        if (transform is not ("half_pixel" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_half_pixel_for_nn"))
            throw UnsupportedAttribute(node, "coordinate_transformation_mode", transform);
        if (mode == "nearest" && nearestMode is not ("round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil"))
            throw UnsupportedAttribute(node, "nearest_mode", nearestMode);
        if (node.GetInt("antialias", 0) != 0)
            throw UnsupportedAttribute(node, "antialias", node.GetInt("antialias", 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        string policy = node.GetString("keep_aspect_ratio_policy", "stretch");
        if (policy != "stretch")
            throw UnsupportedAttribute(node, "keep_aspect_ratio_policy", policy);

        int rank = x.Rank;
        int[] axes = node.GetInts("axes")?.Select(a => Axis(a, rank)).ToArray() ?? [.. Enumerable.Range(0, rank)];
        var outShape = (long[])x.Shape.Clone();
        var scales = Enumerable.Repeat(1.0, rank).ToArray();
        bool bySize = scalesInput is not { Size: > 0 };
        var given = (bySize ? sizesInput : scalesInput) is { Size: > 0 } g ? g.Data
            : throw new ArgumentException($"Reference evaluator: Resize '{node.DisplayName}' has neither scales nor sizes.");
        if (given.Length != axes.Length)
            throw new ArgumentException($"Reference evaluator: Resize '{node.DisplayName}' has {given.Length} scales or sizes for {axes.Length} axes.");
        for (int i = 0; i < axes.Length; i++)
        {
            int d = axes[i];
            outShape[d] = bySize ? (long)given[i] : (long)Math.Floor(x.Shape[d] * given[i]);
            scales[d] = bySize ? (double)outShape[d] / x.Shape[d] : given[i];
        }

        // The source coordinate of output index i on axis d. With sizes, v / scale is computed as v · in / out so
        // that a ratio such as 3/7 stays exact where the spec's real arithmetic lands on an integer.
        double Source(int d, long i)
        {
            double inLen = x.Shape[d], outLen = outShape[d];
            double Unscale(double v) => bySize ? v * inLen / outLen : v / scales[d];
            return transform switch
            {
                "half_pixel" => Unscale(i + 0.5) - 0.5,
                "pytorch_half_pixel" => outLen > 1 ? Unscale(i + 0.5) - 0.5 : 0,
                "align_corners" => outLen == 1 ? 0 : i * (inLen - 1) / (outLen - 1),
                "asymmetric" => Unscale(i),
                _ => Unscale(i + 0.5), // tf_half_pixel_for_nn
            };
        }

        return mode == "nearest" ? ResizeNearest(x, outShape, nearestMode, Source) : ResizeLinear(x, outShape, Source);
    }

    private static RefTensor ResizeNearest(RefTensor x, long[] outShape, string nearestMode, Func<int, long, double> source)
    {
        int rank = x.Rank;
        var index = new long[rank][];
        for (int d = 0; d < rank; d++)
        {
            index[d] = new long[outShape[d]];
            for (long i = 0; i < outShape[d]; i++)
            {
                double s = source(d, i);
                double rounded = nearestMode switch
                {
                    "floor" => Math.Floor(s),
                    "ceil" => Math.Ceiling(s),
                    "round_prefer_ceil" => s - Math.Floor(s) == 0.5 ? Math.Ceiling(s) : Math.Round(s),
                    _ => s - Math.Floor(s) == 0.5 ? Math.Floor(s) : Math.Round(s), // round_prefer_floor
                };
                index[d][i] = Math.Clamp((long)rounded, 0, x.Shape[d] - 1);
            }
        }
        long[] strides = RefTensor.StridesOf(x.Shape);
        var coords = Coordinates(outShape);
        var y = new double[coords.Length];
        for (int o = 0; o < y.Length; o++)
        {
            long offset = 0;
            for (int d = 0; d < rank; d++) offset += index[d][coords[o][d]] * strides[d];
            y[o] = x.Data[offset];
        }
        return RefTensor.Of(outShape, y);
    }

    /// <summary>
    /// N-linear interpolation: per axis the clamped source coordinate s lies between samples floor(s) and the next
    /// (the last one at the edge) with weight s − floor(s) on the upper; the output sums the 2^k corners over the k
    /// axes that interpolate anywhere.
    /// </summary>
    private static RefTensor ResizeLinear(RefTensor x, long[] outShape, Func<int, long, double> source)
    {
        int rank = x.Rank;
        var lower = new long[rank][];
        var upper = new long[rank][];
        var weight = new double[rank][];
        for (int d = 0; d < rank; d++)
        {
            lower[d] = new long[outShape[d]];
            upper[d] = new long[outShape[d]];
            weight[d] = new double[outShape[d]];
            for (long i = 0; i < outShape[d]; i++)
            {
                double s = Math.Clamp(source(d, i), 0, x.Shape[d] - 1);
                lower[d][i] = (long)Math.Floor(s);
                upper[d][i] = Math.Min(lower[d][i] + 1, x.Shape[d] - 1);
                weight[d][i] = s - lower[d][i];
            }
        }
        int[] blended = [.. Enumerable.Range(0, rank).Where(d => weight[d].Any(w => w != 0))];
        long[] strides = RefTensor.StridesOf(x.Shape);
        var coords = Coordinates(outShape);
        var y = new double[coords.Length];
        for (int o = 0; o < y.Length; o++)
        {
            long baseOffset = 0;
            for (int d = 0; d < rank; d++) baseOffset += lower[d][coords[o][d]] * strides[d];
            double acc = 0;
            for (int corner = 0; corner < 1 << blended.Length; corner++)
            {
                long offset = baseOffset;
                double w = 1;
                for (int b = 0; b < blended.Length; b++)
                {
                    int d = blended[b];
                    long i = coords[o][d];
                    bool up = (corner >> b & 1) != 0;
                    w *= up ? weight[d][i] : 1 - weight[d][i];
                    if (up) offset += (upper[d][i] - lower[d][i]) * strides[d];
                }
                acc += w * x.Data[offset];
            }
            y[o] = acc;
        }
        return RefTensor.Of(outShape, y);
    }
}
