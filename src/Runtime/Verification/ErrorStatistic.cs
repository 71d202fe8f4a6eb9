namespace OnnxBn.Runtime.Verification;

/// <summary>
/// What a tolerance is checked against (Polygraphy's <c>--check-error-stat</c>). <see cref="Elementwise"/> checks
/// every element (|a − b| ≤ atol + rtol·|b|); the others check one statistic of the errors and pass when its value
/// over the absolute errors is at most atol or its value over the relative errors |a − b|/|b| is at most rtol.
/// </summary>
public enum ErrorStatistic
{
    /// <summary>Every element within atol + rtol·|original| (the default).</summary>
    Elementwise,
    /// <summary>The largest error.</summary>
    Max,
    /// <summary>The mean error.</summary>
    Mean,
    /// <summary>The median error (approximate within 0.4%: see <see cref="EquivalenceOptions.ErrorQuantile"/>).</summary>
    Median,
    /// <summary>The <see cref="EquivalenceOptions.ErrorQuantile"/> quantile of the errors.</summary>
    Quantile,
}
