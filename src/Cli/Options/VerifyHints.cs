using System.Globalization;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Cli.Options;

/// <summary>
/// The library says what its numbers show about a failed verification (<see cref="EquivalenceReport.RoundingDiagnosis"/>);
/// the command line knows which of its options acts on it. Only outputs that failed on tolerance get a hint: a missing
/// output or a shape mismatch is no matter of rounding.
/// </summary>
internal static class VerifyHints
{
    public static IEnumerable<string> For(EquivalenceReport report, EquivalenceOptions options)
    {
        var failed = report.Failures.ToList();
        if (report.IsEquivalent || report.Problems.Count > 0 || failed.Count == 0 || failed.Any(o => o.Verdict != OutputVerdict.ToleranceExceeded))
            yield break;
        if (report.RoundingDiagnosis is not null)
        {
            var largest = failed.Max(o => o.MaxAbsError);
            yield return $"hint: --atol {RoundedUp(largest)} accepts float rounding of this size (the largest difference on these inputs is " +
                         $"{largest.ToString("0.00e+00", CultureInfo.InvariantCulture)}); --tol OUTPUT=ATOL sets it for one output";
        }
        else if (!options.Float64Reference)
        {
            yield return "hint: --reference float64 tells float rounding from fold error, layer by layer";
        }
    }

    /// <summary><paramref name="value"/> rounded up to one significant digit, as 5e-3 (a tolerance a person would type).</summary>
    internal static string RoundedUp(double value)
    {
        var exponent = (int)Math.Floor(Math.Log10(value));
        var digit = (int)Math.Ceiling(Math.Round(value / Math.Pow(10, exponent), 9));
        if (digit == 10)
            (digit, exponent) = (1, exponent + 1);
        return string.Create(CultureInfo.InvariantCulture, $"{digit}e{exponent}");
    }
}
