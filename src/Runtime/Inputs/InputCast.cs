using System.Globalization;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// A tensor read from a file whose values were cast to the element type of the model input they feed (a float64 .npy
/// for a float32 input), with the largest error the cast introduced: what a warning needs to say.
/// </summary>
/// <param name="Input">The model input fed.</param>
/// <param name="Origin">Where the values came from (the file).</param>
/// <param name="From">The file's element type.</param>
/// <param name="To">The input's element type.</param>
/// <param name="MaxRoundingError">The largest |cast − original| over all elements (0 for an exact cast).</param>
public sealed record InputCast(string Input, string Origin, OnnxDataType From, OnnxDataType To, double MaxRoundingError)
{
    /// <summary>One line: <c>x.npy: float64 values cast to float32 for input 'x' (max rounding error 2.9e-08)</c>.</summary>
    public override string ToString()
    {
        var cost = MaxRoundingError == 0
            ? "exact"
            : "max rounding error " + MaxRoundingError.ToString("G3", CultureInfo.InvariantCulture);
        return $"{Origin}: {From.DisplayName()} values cast to {To.DisplayName()} for input '{Input}' ({cost})";
    }
}
