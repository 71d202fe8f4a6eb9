using OnnxBn.Serving.Codecs;

namespace OnnxBn.Serving.Inference;

/// <summary>Stacks requests' tensors along the first dimension and splits a batch's outputs back, row-major bytes throughout.</summary>
internal static class BatchStacking
{
    /// <summary>
    /// One tensor per input: the requests' tensors of that input, one after the other along dimension 0 (every other
    /// dimension is equal, <see cref="MicroBatcher"/> checked).
    /// </summary>
    public static NamedTensor[] Stack(NamedTensor[][] requests)
    {
        var stacked = new NamedTensor[requests[0].Length];
        for (var input = 0; input < stacked.Length; input++)
        {
            var parts = requests.Select(r => r[input]).ToArray();
            var data = new byte[parts.Sum(p => p.Data.LongLength)];
            long at = 0;
            foreach (var part in parts)
            {
                part.Data.CopyTo(data.AsSpan(checked((int)at)));
                at += part.Data.LongLength;
            }
            var shape = (long[])parts[0].Shape.Clone();
            shape[0] = parts.Sum(p => p.Shape[0]);
            stacked[input] = parts[0] with { Shape = shape, Data = data };
        }
        return stacked;
    }

    /// <summary>
    /// Each request's rows of every output, or null when an output's first dimension is not the batch's row count
    /// (the model does not keep the batch axis for that output).
    /// </summary>
    public static NamedTensor[][]? Split(NamedTensor[] outputs, long[] rows)
    {
        var total = rows.Sum();
        if (outputs.Any(o => o.Shape.Length == 0 || o.Shape[0] != total))
            return null;
        var result = rows.Select(_ => new NamedTensor[outputs.Length]).ToArray();
        for (var o = 0; o < outputs.Length; o++)
        {
            var bytesPerRow = outputs[o].Data.Length / total;
            long row = 0;
            for (var r = 0; r < rows.Length; r++)
            {
                var shape = (long[])outputs[o].Shape.Clone();
                shape[0] = rows[r];
                var slice = outputs[o].Data.AsSpan(checked((int)(row * bytesPerRow)), checked((int)(rows[r] * bytesPerRow))).ToArray();
                result[r][o] = outputs[o] with { Shape = shape, Data = slice };
                row += rows[r];
            }
        }
        return result;
    }
}
