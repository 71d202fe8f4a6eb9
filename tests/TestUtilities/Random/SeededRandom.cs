namespace OnnxBn.TestUtilities.Random;

/// <summary>
/// A deterministic random source for generated test problems: the same seed gives the same problem on every
/// machine and .NET version (System.Random with an explicit seed is stable), so a seed in a failure message is a
/// complete reproduction recipe.
/// </summary>
public sealed class SeededRandom(int seed)
{
    private readonly System.Random _random = new(seed);

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>] (both inclusive).</summary>
    public int Int(int min, int max) => _random.Next(min, max + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => _random.NextDouble() < p;

    /// <summary>One of <paramref name="options"/>, uniformly.</summary>
    public T Pick<T>(params T[] options) => options[_random.Next(options.Length)];

    /// <summary>A draw from U(<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + (max - min) * _random.NextDouble();

    /// <summary>A draw from N(<paramref name="mean"/>, <paramref name="sigma"/>²) (Box–Muller).</summary>
    public double Normal(double mean, double sigma)
    {
        double u1 = 1 - _random.NextDouble(), u2 = _random.NextDouble();
        return mean + sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary><paramref name="count"/> draws from N(0, <paramref name="sigma"/>²).</summary>
    public double[] Normals(long count, double sigma) => Enumerable.Range(0, checked((int)count)).Select(_ => Normal(0, sigma)).ToArray();

    /// <summary><paramref name="count"/> draws from U(<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double[] Uniforms(long count, double min, double max) => Enumerable.Range(0, checked((int)count)).Select(_ => Uniform(min, max)).ToArray();
}
