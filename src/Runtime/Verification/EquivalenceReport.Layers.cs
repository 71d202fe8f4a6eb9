using System.Globalization;
using System.Text;
using System.Text.Json;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>The layer section of the text and JSON reports.</summary>
public sealed partial class EquivalenceReport
{
    /// <summary>How many of the worst layers the text report lists.</summary>
    private const int WorstLayersShown = 5;

    private static readonly string[] LayerColumns =
        ["#", "tensor", "original node", "candidate node", "max abs", "max rel", "result", "fold"];

    private void AppendLayers(StringBuilder text)
    {
        if (Layers is not { } report)
            return;
        text.AppendLine();
        text.AppendLine($"layers: {report.Layers.Count} tensor(s) compared in topological order over {report.Runs} run(s); " +
            $"{report.Unmatched.Count} not compared; folds from {report.FoldSource}");
        var worst = report.Worst(WorstLayersShown).ToList();
        if (worst.Count > 0)
        {
            var withReference = report.ReferenceEvaluated;
            var statistic = StatisticChecked(report.Layers.Select(l => l.Comparison.Check));
            string[] columns = statistic is null ? LayerColumns : [.. LayerColumns[..6], .. StatisticColumns(statistic), .. LayerColumns[6..]];
            columns = withReference ? [.. columns, "ORT rounding", "fold error"] : columns;
            var rows = worst.Select(l => LayerRow(l, withReference, statistic)).ToList();
            text.AppendLine($"worst {rows.Count}:");
            AppendTable(text, columns, rows);
        }
        if (report.FirstDivergence is { } first)
        {
            text.AppendLine($"first divergence: tensor '{first.Tensor}'" +
                (first.CandidateTensor != first.Tensor ? $" (candidate '{first.CandidateTensor}')" : "") +
                $", written by {first.OriginalNode} ({first.OriginalOp}) in the original and {first.CandidateNode} ({first.CandidateOp}) in the candidate");
            text.AppendLine($"  fold: {first.FoldDescription ?? "none touched this node"}");
            if (first.Rounding is { } r)
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"  rounding: observed {Sci(r.Observed)} against a predicted bound of {Sci(r.Bound)}: {r.Verdict}"));
            text.AppendLine("  " + first.Comparison.Describe());
            if (!LayerTypes.IsFloat(first.Comparison.ElementType))
                text.AppendLine($"  {first.Comparison.ElementType.DisplayName()} values are compared exactly: every tensor compared before " +
                    "it agrees within tolerance, so its node chose differently on nearly equal inputs: most likely a near-tie that float rounding tips");
        }
        else if (report.Runs > 0)
        {
            text.AppendLine("first divergence: none, every compared tensor is within tolerance");
        }
        var rounded = report.Layers.Where(l => l.Rounding is not null).ToList();
        if (rounded.Count > 0)
        {
            var suspect = rounded.Where(l => !l.Rounding!.WithinBound).ToList();
            text.AppendLine($"folds: {rounded.Count - suspect.Count} of {rounded.Count} folded layer(s) within expected rounding" +
                (suspect.Count > 0 ? "; suspect: " + string.Join(", ", suspect.Select(l => $"{l.Tensor} ({Sci(l.Rounding!.Observed)} > {Sci(l.Rounding.Bound)})")) : ""));
        }
        if (report.Unmatched.Count > 0)
        {
            var removed = report.Unmatched.Count(u => LayerMatching.IsFoldReason(u.Reason));
            var other = report.Unmatched.Where(u => !LayerMatching.IsFoldReason(u.Reason)).ToList();
            text.AppendLine($"not compared: {removed} tensor(s) removed or rewritten by folds" + (other.Count > 0
                ? $", {other.Count} with no counterpart in the candidate (renamed or restructured): " +
                  string.Join(", ", other.Take(5).Select(u => u.Tensor)) + (other.Count > 5 ? ", ..." : "")
                : ""));
        }
        foreach (var note in report.Notes)
            text.AppendLine($"note: {note}");
    }

    private static string[] LayerRow(LayerComparison l, bool withReference, ErrorCheck? statistic)
    {
        var c = l.Comparison;
        string[] values = statistic is null ? [] : c.Elements > 0 ? [Sci(c.StatisticAbsError), Sci(c.StatisticRelError)] : ["", ""];
        string[] row =
        [
            l.Index.ToString(CultureInfo.InvariantCulture),
            l.CandidateTensor == l.Tensor ? l.Tensor : $"{l.Tensor} -> {l.CandidateTensor}",
            l.OriginalNode, l.CandidateNode,
            c.Elements > 0 ? Sci(c.MaxAbsError) : "", c.Elements > 0 ? Sci(c.MaxRelError) : "", .. values, Result(c),
            l.Folds.Count == 0 ? "" : string.Join(", ", l.Folds.Select(f => f.Node)) + (l.Rounding is { } r ? $" ({r.Verdict})" : ""),
        ];
        return withReference && l.Reference is { } e ? [.. row, Sci(e.OriginalRounding), Sci(e.FoldError)]
            : withReference ? [.. row, "", ""] : row;
    }

    private void WriteLayers(Utf8JsonWriter json)
    {
        if (Layers is not { } report)
            return;
        json.WriteStartArray("layers");
        foreach (var l in report.Layers)
        {
            json.WriteStartObject();
            json.WriteNumber("index", l.Index);
            json.WriteString("tensor", l.Tensor);
            json.WriteString("candidateTensor", l.CandidateTensor);
            json.WriteString("matchedBy", l.MatchedBy.ToString().ToLowerInvariant());
            json.WriteString("nodeA", l.OriginalNode);
            json.WriteString("opA", l.OriginalOp);
            json.WriteString("nodeB", l.CandidateNode);
            json.WriteString("opB", l.CandidateOp);
            NullableString(json, "fold", l.FoldDescription);
            var c = l.Comparison;
            json.WriteBoolean("passed", c.Passed);
            json.WriteString("verdict", c.Verdict.ToString());
            json.WriteNumber("elements", c.Elements);
            json.WriteNumber("violations", c.Violations);
            Number(json, "atol", c.Tolerance.Atol);
            Number(json, "rtol", c.Tolerance.Rtol);
            Number(json, "maxAbsError", c.MaxAbsError);
            Number(json, "maxRelError", c.MaxRelError);
            Number(json, "meanAbsError", c.MeanAbsError);
            Number(json, "meanRelError", c.MeanRelError);
            json.WriteString("errorStatistic", c.Check.ToString());
            Number(json, "statisticAbsError", c.StatisticAbsError);
            Number(json, "statisticRelError", c.StatisticRelError);
            json.WriteNumber("nonFiniteOriginal", c.NonFiniteOriginal);
            json.WriteNumber("nonFiniteCandidate", c.NonFiniteCandidate);
            Number(json, "maxAbsOriginal", c.MaxAbsOriginal);
            if (l.Reference is { } e)
            {
                json.WriteStartObject("reference");
                Number(json, "originalRounding", e.OriginalRounding);
                Number(json, "foldError", e.FoldError);
                Number(json, "candidateError", e.CandidateError);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("reference");
            }
            if (l.Rounding is { } r)
            {
                json.WriteStartObject("rounding");
                Number(json, "observed", r.Observed);
                Number(json, "bound", r.Bound);
                json.WriteString("verdict", r.Verdict);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("rounding");
            }
            json.WriteString("message", c.Describe());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (report.FirstDivergence is { } first)
        {
            json.WriteStartObject("firstDivergence");
            json.WriteString("tensor", first.Tensor);
            json.WriteString("candidateTensor", first.CandidateTensor);
            json.WriteString("nodeA", first.OriginalNode);
            json.WriteString("nodeB", first.CandidateNode);
            NullableString(json, "fold", first.FoldDescription);
            NullableString(json, "rounding", first.Rounding?.Verdict);
            json.WriteString("message", first.Comparison.Describe());
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("firstDivergence");
        }
        json.WriteStartArray("unmatchedLayers");
        foreach (var u in report.Unmatched)
        {
            json.WriteStartObject();
            json.WriteString("tensor", u.Tensor);
            json.WriteString("node", u.Node);
            json.WriteString("reason", u.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("layerFoldSource", report.FoldSource);
        json.WriteBoolean("layerReference", report.ReferenceEvaluated);
        json.WriteStartObject("layerTiming");
        json.WriteNumber("totalSeconds", report.Elapsed.TotalSeconds);
        json.WriteNumber("prepareSeconds", report.PrepareTime.TotalSeconds);
        json.WriteNumber("referenceSeconds", report.ReferenceTime.TotalSeconds);
        json.WriteEndObject();
        WriteStrings(json, "layerNotes", report.Notes);
        WriteRoundingDiagnosis(json);
    }

    private void WriteRoundingDiagnosis(Utf8JsonWriter json)
    {
        if (RoundingDiagnosis is not { } d)
        {
            json.WriteNull("roundingDiagnosis");
            return;
        }
        json.WriteStartObject("roundingDiagnosis");
        json.WriteString("output", d.Output);
        Number(json, "foldError", d.FoldError);
        Number(json, "runtimeRounding", d.RuntimeRounding);
        json.WriteNumber("foldsChecked", d.FoldsChecked);
        json.WriteNumber("foldedLayers", d.FoldedLayers);
        json.WriteString("message", d.Describe());
        json.WriteEndObject();
    }

    private static void NullableString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }
}
