using System.Globalization;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// How far a candidate element <c>a</c> may be from the original element <c>b</c>: <c>|a − b| ≤ Atol + Rtol·|b|</c>
/// (the numpy.isclose / Polygraphy rule, with the original as the reference).
/// </summary>
public readonly record struct Tolerance(double Atol, double Rtol)
{
    /// <summary>The default for float32, float64 and integer outputs: atol 1e-5, rtol 1e-4.</summary>
    public static Tolerance Default { get; } = new(1e-5, 1e-4);

    /// <summary>
    /// The default for float16 and bfloat16 outputs, whose own rounding step is about 1e-3 relative: atol 1e-3,
    /// rtol 1e-2 (about ten float16 ulps).
    /// </summary>
    public static Tolerance HalfPrecisionDefault { get; } = new(1e-3, 1e-2);

    /// <summary>The largest difference allowed around <paramref name="reference"/>.</summary>
    public double Allowed(double reference) => Atol + Rtol * Math.Abs(reference);

    /// <summary>Parses <c>ATOL</c> or <c>ATOL:RTOL</c>; a missing RTOL takes <paramref name="defaultRtol"/>.</summary>
    /// <exception cref="FormatException">Not numbers, or negative.</exception>
    public static Tolerance Parse(string text, double defaultRtol)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length > 2)
            throw new FormatException($"'{text}' is not ATOL or ATOL:RTOL.");
        var atol = ParseNonNegative(parts[0], text);
        var rtol = parts.Length == 2 ? ParseNonNegative(parts[1], text) : defaultRtol;
        return new Tolerance(atol, rtol);
    }

    /// <summary>Parses a non-negative number such as <c>1e-5</c>.</summary>
    /// <exception cref="FormatException">Not a number, negative or NaN.</exception>
    public static double ParseNonNegative(string value, string context)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !(number >= 0))
            throw new FormatException($"'{context}': '{value}' is not a non-negative number.");
        return number;
    }

    /// <summary><c>atol 1e-05, rtol 0.0001</c>.</summary>
    public override string ToString() => $"atol {Format(Atol)}, rtol {Format(Rtol)}";

    /// <summary>A tolerance number as people write it: <c>1e-5</c>, <c>0.001</c>, <c>0</c>.</summary>
    public static string Format(double value) =>
        value.ToString("G3", CultureInfo.InvariantCulture).Replace("E-0", "e-", StringComparison.Ordinal)
            .Replace("E+0", "e+", StringComparison.Ordinal).Replace("E", "e", StringComparison.Ordinal);
}
