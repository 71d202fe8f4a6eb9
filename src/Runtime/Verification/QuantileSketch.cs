namespace OnnxBn.Runtime.Verification;

/// <summary>
/// Quantiles of a stream of non-negative errors in bounded memory: a sparse histogram with 128 buckets per power of
/// two (the bucket of a double is its exponent and top 7 mantissa bits), so the answer lies within 2^-8 (0.4%)
/// relative of the exact nearest-rank quantile, whatever the number of values. Zeros and infinities are counted
/// exactly; the smallest and largest values are kept exactly, so the 0 and 1 quantiles are exact.
/// </summary>
internal sealed class QuantileSketch
{
    private const int DroppedBits = 52 - 7;

    private readonly Dictionary<long, long> _buckets = [];
    private long _zeros, _infinities, _count;
    private double _min = double.PositiveInfinity, _max;

    /// <summary>Values counted (NaN is never counted).</summary>
    public long Count => _count;

    public void Add(double value)
    {
        if (double.IsNaN(value))
            return;
        _count++;
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        if (value == 0)
            _zeros++;
        else if (double.IsPositiveInfinity(value))
            _infinities++;
        else
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(
                _buckets, BitConverter.DoubleToInt64Bits(value) >> DroppedBits, out _)++;
    }

    /// <summary>The nearest-rank <paramref name="q"/>-quantile (0 ≤ q ≤ 1); 0 when nothing was counted.</summary>
    public double Quantile(double q)
    {
        if (_count == 0)
            return 0;
        var rank = Math.Clamp((long)Math.Ceiling(q * _count), 1, _count);
        if (rank == 1)
            return _min;
        if (rank == _count)
            return _max;
        if (rank <= _zeros)
            return 0;
        var seen = _zeros;
        foreach (var key in _buckets.Keys.Order())
        {
            seen += _buckets[key];
            if (seen >= rank)
            {
                // The middle of the bucket, clamped to what was seen.
                var low = BitConverter.Int64BitsToDouble(key << DroppedBits);
                var high = BitConverter.Int64BitsToDouble((key + 1) << DroppedBits);
                return Math.Clamp((low + high) / 2, _min, _max);
            }
        }
        return double.PositiveInfinity;
    }
}
