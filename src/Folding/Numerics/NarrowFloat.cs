namespace OnnxBn.Folding.Numerics;

/// <summary>
/// Whether float64 results survive being written back as float16 or bfloat16. A fold computes W' = s·W exactly and
/// rounds once; in a 16-bit type that rounding can overflow to ±inf (|s·w| above 65504 in float16), flush a non-zero
/// weight to zero, or land in the subnormal range where fewer significant bits remain than any normal weight of the
/// type has. A written value is accepted when its relative rounding error is at most the type's unit roundoff
/// (2⁻¹¹ for float16, 2⁻⁸ for bfloat16): exactly what writing a normal number costs, so the folded weight is as
/// precise as the original was; an element whose original value was itself subnormal is only checked for overflow
/// and flushing (it never had that precision). Float32 and float64 are not checked (their range covers every fold of
/// a real model).
/// </summary>
internal static class NarrowFloat
{
    /// <summary>
    /// Why writing <paramref name="values"/> as <paramref name="type"/> would damage them, or null. <paramref name="original"/>
    /// holds the values before the fold, element for element (empty when there were none); <paramref name="what"/>
    /// names the tensor in the reason.
    /// </summary>
    public static string? Damage(OnnxDataType type, ReadOnlySpan<double> values, ReadOnlySpan<double> original, string what)
    {
        double minNormal = type == OnnxDataType.Float16 ? Math.ScaleB(1, -14) : Math.ScaleB(1, -126);
        double unitRoundoff = type switch
        {
            OnnxDataType.Float16 => Math.ScaleB(1, -11),
            OnnxDataType.BFloat16 => Math.ScaleB(1, -8),
            _ => 0,
        };
        if (unitRoundoff == 0) return null;
        var rounded = TensorData.FromDoubles("", type, [values.Length], values).ToDoubleArray();
        for (int i = 0; i < values.Length; i++)
        {
            double exact = values[i], written = rounded[i];
            if (exact == 0 || !double.IsFinite(exact)) continue;
            if (double.IsInfinity(written))
                return $"{what} would overflow {type.DisplayName()} (element {i}: {exact:G6} becomes {(written > 0 ? "+" : "-")}inf)";
            if (written == 0)
                return $"{what} would flush a non-zero weight to zero in {type.DisplayName()} (element {i}: {exact:G6})";
            bool wasSubnormal = original.Length == values.Length && original[i] != 0 && Math.Abs(original[i]) < minNormal;
            if (!wasSubnormal && Math.Abs(written - exact) > unitRoundoff * Math.Abs(exact))
                return $"{what} would lose precision in {type.DisplayName()}'s subnormal range (element {i}: {exact:G6} becomes {written:G6})";
        }
        return null;
    }

    /// <summary>True for the 16-bit float types whose range and precision a fold must check.</summary>
    public static bool IsNarrow(OnnxDataType type) => type is OnnxDataType.Float16 or OnnxDataType.BFloat16;

    /// <summary>
    /// <see cref="Damage"/> of <paramref name="values"/> written as <paramref name="type"/> in place of
    /// <paramref name="replaces"/> (its elements are the originals when it has as many; a broadcast bias that grows,
    /// or a tensor that is new, has none); null at once for a type that is not float16 or bfloat16. Every rule that
    /// writes a weight calls this (or <see cref="ScaledDamage"/>) before it edits anything.
    /// </summary>
    public static string? WriteDamage(OnnxDataType type, double[] values, TensorData? replaces, string what)
    {
        if (!IsNarrow(type)) return null;
        double[] original = replaces is not null && replaces.ElementCount == values.Length ? replaces.ToDoubleArray() : [];
        return Damage(type, values, original, what);
    }

    /// <summary>
    /// <see cref="Damage"/> of <paramref name="weight"/> with slice j along <paramref name="axis"/> multiplied by
    /// factors[j]; null at once for a weight that is not float16 or bfloat16.
    /// </summary>
    public static string? ScaledDamage(TensorData weight, int axis, double[] factors, string what)
    {
        if (!IsNarrow(weight.ElementType)) return null;
        double[] original = weight.ToDoubleArray(), scaled = (double[])original.Clone();
        AxisScaling.ScaleAlong(scaled, weight.Dims, axis, factors);
        return Damage(weight.ElementType, scaled, original, what);
    }

    /// <summary>
    /// <see cref="Damage"/> of a folded bias b'[o] = s[o]·b[o] + t[o] written as <paramref name="type"/> (b = 0 when
    /// <paramref name="bias"/> is null); null at once for a type that is not float16 or bfloat16.
    /// </summary>
    public static string? BiasDamage(OnnxDataType type, TensorData? bias, double[] s, double[] t, string what)
    {
        if (!IsNarrow(type)) return null;
        double[] b = bias?.ToDoubleArray() ?? new double[s.Length];
        if (b.Length != s.Length) return null;
        var folded = new double[s.Length];
        for (int o = 0; o < s.Length; o++) folded[o] = s[o] * b[o] + t[o];
        return Damage(type, folded, bias is null ? [] : b, what);
    }
}
