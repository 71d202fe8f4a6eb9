using System.Globalization;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>
/// Summary statistics of raw inputs, to catch data scaled unlike what a base was trained on before hours are spent
/// training on it: 0-255 pixels fed to a model trained on pixels/255 give saturated, meaningless features, and nothing
/// fails.
/// </summary>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Mean">Mean value.</param>
/// <param name="Std">Standard deviation.</param>
/// <param name="Integral">Whether every value is a whole number.</param>
public sealed record InputStatistics(double Min, double Max, double Mean, double Std, bool Integral)
{
    /// <summary>The statistics of every value of <paramref name="data"/>.</summary>
    public static InputStatistics Of(LabeledData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var values = data.Features;
        if (values.Length == 0)
            return new InputStatistics(0, 0, 0, 0, true);
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, squares = 0;
        var integral = true;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            squares += (double)v * v;
            integral &= v == MathF.Floor(v);
        }
        var mean = sum / values.Length;
        return new InputStatistics(min, max, mean, Math.Sqrt(Math.Max(0, squares / values.Length - mean * mean)), integral);
    }

    /// <summary>
    /// A warning when the values look unscaled for a network: whole numbers above 1 up to 255 (raw pixels, while
    /// networks such as this repository's models are trained on pixels/255), or magnitudes above 100; null otherwise.
    /// </summary>
    public string? ScalingWarning(double expectedMax = 1.0)
    {
        var stats = string.Create(CultureInfo.InvariantCulture, $"min {Min:g4}, max {Max:g4}, mean {Mean:g4}, std {Std:g4}");
        if (Integral && Min >= 0 && Max > Math.Max(1.5, 2 * expectedMax) && Max <= 255)
            return $"the inputs look like raw 0-255 pixels ({stats}, whole numbers) but the base expects values scaled like its training data " +
                   string.Create(CultureInfo.InvariantCulture, $"(about 0..{expectedMax:g}); divide them by 255");
        if (Math.Max(Math.Abs(Min), Math.Abs(Max)) > 100 * Math.Max(1, expectedMax))
            return $"the inputs are far from the range networks are trained on ({stats}); scale them like the base's training data";
        return null;
    }
}
