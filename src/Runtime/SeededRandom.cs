namespace OnnxBn.Runtime;

/// <summary>
/// A small seeded generator (xoshiro256**, seeded through SplitMix64) so that random inputs, shuffling and weight
/// initialization give the same numbers for the same seed on every machine and .NET version (System.Random makes no
/// such promise, and HashCode is randomized per process).
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole sequence is fixed by <paramref name="seed"/> (its 64 bits, as unsigned).</summary>
    public SeededRandom(ulong seed)
        : this(unchecked((long)seed))
    {
    }

    /// <summary>A generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    public SeededRandom(long seed)
    {
        var x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextULong()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextULong() >> 40) * (1.0f / (1 << 24));

    /// <summary>Fills <paramref name="values"/> with floats uniform in [0, 1).</summary>
    public void FillUniform(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++)
            values[i] = NextSingle();
    }

    /// <summary>Fills <paramref name="values"/> with doubles uniform in [0, 1).</summary>
    public void FillUniform(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
            values[i] = NextDouble();
    }

    /// <summary>A double uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer uniform in [0, <paramref name="exclusiveMax"/>) without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        var bound = (ulong)exclusiveMax;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextULong();
            if (r >= threshold)
                return (int)(r % bound);
        }
    }

    /// <summary>A standard normal sample (Box–Muller; the second value is discarded to keep the stream simple).</summary>
    public double NextGaussian()
    {
        double u1;
        do
            u1 = NextDouble();
        while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A standard normal sample redrawn until it lies within two standard deviations (Keras' truncated normal).</summary>
    public double NextTruncatedGaussian()
    {
        while (true)
        {
            var g = NextGaussian();
            if (Math.Abs(g) <= 2.0)
                return g;
        }
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The numbers 0..count-1 in a random order.</summary>
    public int[] Permutation(int count)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
            order[i] = i;
        Shuffle(order.AsSpan());
        return order;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
