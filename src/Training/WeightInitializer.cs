using OnnxBn.Runtime;
namespace OnnxBn.Training;

/// <summary>Which fan a variance-scaling initializer divides by.</summary>
public enum FanMode
{
    /// <summary>Number of inputs.</summary>
    FanIn,
    /// <summary>Number of outputs.</summary>
    FanOut,
    /// <summary>(inputs + outputs) / 2.</summary>
    FanAvg,
}

/// <summary>The distribution a variance-scaling initializer draws from.</summary>
public enum InitDistribution
{
    /// <summary>Normal truncated at two standard deviations, rescaled so the variance is still scale/fan (Keras).</summary>
    TruncatedNormal,
    /// <summary>Plain normal.</summary>
    UntruncatedNormal,
    /// <summary>Uniform in [−limit, limit] with limit = √(3·scale/fan).</summary>
    Uniform,
}

/// <summary>
/// Keras' <c>VarianceScaling</c>: weights with variance <c>scale / fan</c>. The book's named initializers are special
/// cases: glorot_uniform = (1, fan_avg, uniform), he_normal = (2, fan_in, truncated normal), he_uniform = (2, fan_in,
/// uniform), lecun_normal = (1, fan_in, truncated normal). Biases start at zero.
/// </summary>
public sealed record WeightInitializer(double Scale, FanMode Mode, InitDistribution Distribution)
{
    /// <summary>Standard deviation of a unit normal truncated to [−2, 2]: Keras divides by it so the variance is kept.</summary>
    public const double TruncatedNormalStddev = 0.87962566103423978;

    /// <summary>Glorot (Xavier) uniform, Keras' default.</summary>
    public static WeightInitializer GlorotUniform { get; } = new(1.0, FanMode.FanAvg, InitDistribution.Uniform);

    /// <summary>He normal (for ReLU and its variants).</summary>
    public static WeightInitializer HeNormal { get; } = new(2.0, FanMode.FanIn, InitDistribution.TruncatedNormal);

    /// <summary>He uniform.</summary>
    public static WeightInitializer HeUniform { get; } = new(2.0, FanMode.FanIn, InitDistribution.Uniform);

    /// <summary>LeCun normal (for SELU).</summary>
    public static WeightInitializer LecunNormal { get; } = new(1.0, FanMode.FanIn, InitDistribution.TruncatedNormal);

    /// <summary>Parses glorot_uniform, he_normal, he_uniform or lecun_normal.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static WeightInitializer Parse(string name) => name.ToLowerInvariant() switch
    {
        "glorot_uniform" => GlorotUniform,
        "he_normal" => HeNormal,
        "he_uniform" => HeUniform,
        "lecun_normal" => LecunNormal,
        _ => throw new ArgumentException(
            $"Unknown initializer '{name}' (glorot_uniform, he_normal, he_uniform, lecun_normal, or variance_scaling with scale/mode/distribution)."),
    };

    /// <summary>Fills <paramref name="weights"/> (<paramref name="fanOut"/> rows of <paramref name="fanIn"/>) from <paramref name="random"/>.</summary>
    public void Fill(Span<float> weights, int fanIn, int fanOut, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var fan = Mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => (fanIn + fanOut) / 2.0,
        };
        var variance = Scale / Math.Max(1.0, fan);
        switch (Distribution)
        {
            case InitDistribution.Uniform:
                var limit = Math.Sqrt(3.0 * variance);
                for (var i = 0; i < weights.Length; i++)
                    weights[i] = (float)((random.NextDouble() * 2.0 - 1.0) * limit);
                break;
            case InitDistribution.UntruncatedNormal:
                var sigma = Math.Sqrt(variance);
                for (var i = 0; i < weights.Length; i++)
                    weights[i] = (float)(random.NextGaussian() * sigma);
                break;
            default:
                var truncatedSigma = Math.Sqrt(variance) / TruncatedNormalStddev;
                for (var i = 0; i < weights.Length; i++)
                    weights[i] = (float)(random.NextTruncatedGaussian() * truncatedSigma);
                break;
        }
    }
}
