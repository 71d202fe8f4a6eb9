namespace OnnxBn.Runtime.Verification;

/// <summary>How one tensor is judged: the statistic checked against the tolerance, its quantile, and NaN/Inf validation.</summary>
/// <param name="Statistic">Every element, or one statistic of the errors.</param>
/// <param name="Quantile">The quantile of <see cref="ErrorStatistic.Quantile"/>.</param>
/// <param name="Validate">Fail a tensor holding NaN or infinity in either model.</param>
public sealed record ErrorCheck(ErrorStatistic Statistic, double Quantile, bool Validate)
{
    /// <summary>The default: every element within tolerance, no validation.</summary>
    public static ErrorCheck Elementwise { get; } = new(ErrorStatistic.Elementwise, 0.99, false);

    /// <summary>True when the statistic needs the quantile sketch.</summary>
    internal bool NeedsSketch => Statistic is ErrorStatistic.Median or ErrorStatistic.Quantile;

    /// <summary><c>elemwise</c>, <c>max</c>, <c>mean</c>, <c>median</c> or <c>quantile 0.99</c>.</summary>
    public override string ToString() => Statistic switch
    {
        ErrorStatistic.Elementwise => "elemwise",
        ErrorStatistic.Quantile => $"quantile {Quantile.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}",
        _ => Statistic.ToString().ToLowerInvariant(),
    };
}
