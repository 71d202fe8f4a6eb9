using System.Globalization;
using System.Text;

namespace OnnxBn.Runtime.Verification;

/// <summary>The human-readable report: a header, one table row per output, the error histograms and the verdict.</summary>
public sealed partial class EquivalenceReport
{
    private static readonly string[] Columns =
        ["output", "shape", "max abs", "max rel", "mean abs", "cosine", "top-1", "top-5", "worst at", "original", "candidate", "result"];

    /// <summary>The table, histograms and verdict as plain text; <paramref name="verbose"/> adds timings.</summary>
    public string ToText(bool verbose = false)
    {
        var text = new StringBuilder();
        text.AppendLine($"original:  {Original} ({OriginalDevice})");
        text.AppendLine($"candidate: {Candidate} ({CandidateDevice})");
        text.AppendLine($"inputs:    {Inputs}, {Runs} run(s); ORT graph optimization {OptimizationLevel.ToString().ToLowerInvariant()}");
        if (Outputs.FirstOrDefault() is { Check: { } check } && check != ErrorCheck.Elementwise)
            text.AppendLine($"check:     {check} error against the tolerance{(check.Validate ? ", NaN/Inf validated" : "")}");
        text.AppendLine();
        var statistic = StatisticChecked(Outputs.Select(o => o.Check));
        var rows = Outputs.Select(o => WithStatistic(Row(o), o, statistic)).ToList();
        AppendTable(text, statistic is null ? Columns : [.. Columns[..^1], .. StatisticColumns(statistic), Columns[^1]], rows);
        foreach (var output in Outputs.Where(o => o.Elements > 0))
            AppendHistogram(text, output);
        foreach (var note in Notes)
            text.AppendLine($"note: {note}");
        AppendLayers(text);
        if (verbose)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"time: {Elapsed.TotalSeconds:F3} s total, {LoadTime.TotalSeconds:F3} s loading, {RunTime.TotalSeconds:F3} s in ONNX Runtime Run ({OverheadFraction * 100:F1}% outside Run)"));
        text.AppendLine();
        text.AppendLine(IsEquivalent
            ? $"EQUIVALENT: {Outputs.Count} output(s) within tolerance over {Runs} run(s)."
            : "NOT EQUIVALENT: " + FailureMessage);
        if (RoundingDiagnosis is { } rounding)
            text.AppendLine("note: " + rounding.Describe());
        return text.ToString();
    }

    private static string[] Row(OutputComparison o)
    {
        var name = o.MatchedBy == OutputMatch.Position ? $"{o.Name} -> {o.CandidateName}" : o.Name;
        if (o.Elements == 0)
            return [name, "", "", "", "", "", "", "", "", "", "", Result(o)];
        var w = o.Worst;
        return
        [
            name, "[" + string.Join(",", o.Shape) + "]", Sci(o.MaxAbsError), Sci(o.MaxRelError), Sci(o.MeanAbsError),
            o.CosineSimilarity.ToString("F6", CultureInfo.InvariantCulture),
            o.Top1Agreement is { } t1 ? Percent(t1) : "-",
            o.Top5Overlap is { } t5 ? Percent(t5) : "-",
            w?.IndexText ?? "", w is null ? "" : Short(w.Original), w is null ? "" : Short(w.Candidate), Result(o),
        ];
    }

    /// <summary>The statistic the tolerance checks when it is not every element (null when it is): its values get columns.</summary>
    private static ErrorCheck? StatisticChecked(IEnumerable<ErrorCheck> checks) =>
        checks.FirstOrDefault(c => c.Statistic != ErrorStatistic.Elementwise);

    private static string[] StatisticColumns(ErrorCheck check) => [$"{check} abs", $"{check} rel"];

    /// <summary><paramref name="row"/> with the checked statistic's values before its last cell, the result.</summary>
    private static string[] WithStatistic(string[] row, OutputComparison o, ErrorCheck? statistic) =>
        statistic is null ? row
            : o.Elements == 0 ? [.. row[..^1], "", "", row[^1]]
            : [.. row[..^1], Sci(o.StatisticAbsError), Sci(o.StatisticRelError), row[^1]];

    private static string Result(OutputComparison o) => o.Verdict switch
    {
        OutputVerdict.Pass => "pass",
        OutputVerdict.ToleranceExceeded when o.Check.Statistic != ErrorStatistic.Elementwise => $"FAIL ({o.Check})",
        OutputVerdict.ToleranceExceeded => $"FAIL ({o.Violations} > tol)",
        OutputVerdict.Top1BelowMinimum => "FAIL (top-1)",
        OutputVerdict.Missing => "FAIL (missing)",
        OutputVerdict.ShapeMismatch => "FAIL (shape)",
        OutputVerdict.NonFinite => "FAIL (NaN/Inf)",
        _ => "FAIL (type)",
    };

    private static void AppendTable(StringBuilder text, string[] columns, List<string[]> rows)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Line(string[] cells) =>
            text.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(columns);
        Line(widths.Select(w => new string('-', w)).ToArray());
        rows.ForEach(Line);
    }

    private static void AppendHistogram(StringBuilder text, OutputComparison output)
    {
        text.AppendLine();
        text.AppendLine($"|a-b| histogram of '{output.Name}' ({output.Elements} elements, {output.Tolerance}):");
        var counts = output.Histogram.Counts;
        var max = Math.Max(1, counts.Max());
        for (var b = 0; b < counts.Count; b++)
        {
            if (counts[b] == 0)
                continue;
            var bar = new string('#', (int)Math.Ceiling(30.0 * counts[b] / max));
            text.AppendLine($"  {ErrorHistogram.Labels[b],-11} {counts[b],10}  {bar}");
        }
    }

    internal static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string Sci(double value) => value.ToString("0.00e+00", CultureInfo.InvariantCulture);

    private static string Short(double value) => value.ToString("G7", CultureInfo.InvariantCulture);
}
