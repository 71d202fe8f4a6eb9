using System.Globalization;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The float64 reference's reading of outputs that failed on tolerance alone: at each of them the fold's own error
/// is below ONNX Runtime's rounding of the unfolded original, and no fold with a rounding bound is beyond it. The two
/// models then differ by float arithmetic, not by the fold; the tolerance asks for more than float arithmetic gives.
/// </summary>
/// <param name="Output">The failed output whose fold error is largest against the runtime's rounding.</param>
/// <param name="ElementType">That output's element type.</param>
/// <param name="FoldError">max |float64(candidate) − float64(original)| at <paramref name="Output"/>.</param>
/// <param name="RuntimeRounding">max |ORT(original) − float64(original)| at <paramref name="Output"/>.</param>
/// <param name="FailedOutputs">How many outputs failed (all of them on tolerance).</param>
/// <param name="FoldsChecked">Folded layers with a rounding bound; every one is within it.</param>
/// <param name="FoldedLayers">Folded layers compared.</param>
public sealed record RoundingDiagnosis(string Output, OnnxDataType ElementType, double FoldError, double RuntimeRounding,
    int FailedOutputs, int FoldsChecked, int FoldedLayers)
{
    /// <summary>One line: what the folds and the float64 reference show, and what it means for the tolerance.</summary>
    public string Describe()
    {
        var type = ElementType.DisplayName();
        var folds = FoldsChecked == 0 ? ""
            : FoldsChecked == FoldedLayers ? "every fold is within its expected rounding and "
            : $"the {FoldsChecked} of {FoldedLayers} folds with a rounding bound are within it, and ";
        var where = FailedOutputs == 1
            ? $"the fold error at output '{Output}' ({Sci(FoldError)}) is below ONNX Runtime's own {type} rounding of the original ({Sci(RuntimeRounding)})"
            : $"the fold error at every failed output is below ONNX Runtime's own {type} rounding of the original (closest: '{Output}', {Sci(FoldError)} against {Sci(RuntimeRounding)})";
        return $"{folds}{where}: the tolerance is tighter than {type} arithmetic allows here";
    }

    /// <summary>
    /// The diagnosis of <paramref name="report"/>, or null unless every failure is a tolerance failure, the float64
    /// reference ran, no fold is suspect and each failed output's fold error is below the runtime's rounding there.
    /// </summary>
    internal static RoundingDiagnosis? Of(EquivalenceReport report)
    {
        var failed = report.Failures.ToList();
        if (report.IsEquivalent || report.Problems.Count > 0 || failed.Count == 0 ||
            failed.Any(o => o.Verdict != OutputVerdict.ToleranceExceeded) || report.Layers is not { ReferenceEvaluated: true } layers)
            return null;
        var folded = layers.Layers.Where(l => l.Comparison.Elements > 0 &&
            l.Folds.Any(f => f.Outcome is BnOutcome.FoldedBackward or BnOutcome.FoldedForward)).ToList();
        var bounded = folded.Where(l => l.Rounding is not null).ToList();
        if (bounded.Any(l => !l.Rounding!.WithinBound))
            return null;
        var byTensor = layers.Layers.ToDictionary(l => l.Tensor, StringComparer.Ordinal);
        RoundingDiagnosis? closest = null;
        foreach (var output in failed)
        {
            if (!byTensor.TryGetValue(output.Name, out var layer) || layer.Reference is not { } e ||
                !double.IsFinite(e.FoldError) || !double.IsFinite(e.OriginalRounding) || e.FoldError >= e.OriginalRounding)
                return null;
            if (closest is null || e.FoldError / e.OriginalRounding > closest.FoldError / closest.RuntimeRounding)
                closest = new RoundingDiagnosis(output.Name, output.ElementType, e.FoldError, e.OriginalRounding, failed.Count, bounded.Count, folded.Count);
        }
        return closest;
    }

    private static string Sci(double value) => value.ToString("0.00e+00", CultureInfo.InvariantCulture);
}
