using System.Text;
using System.Text.Json;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>The machine-readable report: every metric, for CI dashboards.</summary>
public sealed partial class EquivalenceReport
{
    /// <summary>
    /// The report as indented JSON. Numbers that JSON cannot hold (NaN, ±Infinity) are written as the strings
    /// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("equivalent", IsEquivalent);
            json.WriteString("original", Original);
            json.WriteString("candidate", Candidate);
            json.WriteString("originalDevice", OriginalDevice.ToString());
            json.WriteString("candidateDevice", CandidateDevice.ToString());
            json.WriteString("ortOptimization", OptimizationLevel.ToString().ToLowerInvariant());
            json.WriteString("inputs", Inputs);
            json.WriteNumber("runs", Runs);
            json.WriteStartObject("timing");
            json.WriteNumber("totalSeconds", Elapsed.TotalSeconds);
            json.WriteNumber("loadSeconds", LoadTime.TotalSeconds);
            json.WriteNumber("runSeconds", RunTime.TotalSeconds);
            json.WriteNumber("overheadFraction", OverheadFraction);
            json.WriteEndObject();
            json.WriteStartArray("outputs");
            foreach (var output in Outputs)
                WriteOutput(json, output);
            json.WriteEndArray();
            WriteLayers(json);
            WriteStrings(json, "problems", Problems);
            WriteStrings(json, "notes", Notes);
            json.WriteString("failureMessage", FailureMessage);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteOutput(Utf8JsonWriter json, OutputComparison o)
    {
        json.WriteStartObject();
        json.WriteString("name", o.Name);
        if (o.CandidateName is null) json.WriteNull("candidateName"); else json.WriteString("candidateName", o.CandidateName);
        json.WriteString("matchedBy", o.MatchedBy.ToString().ToLowerInvariant());
        json.WriteBoolean("passed", o.Passed);
        json.WriteString("verdict", o.Verdict.ToString());
        if (o.Problem is not null) json.WriteString("problem", o.Problem);
        json.WriteString("elementType", o.ElementType.DisplayName());
        json.WriteStartArray("shape");
        foreach (var d in o.Shape) json.WriteNumberValue(d);
        json.WriteEndArray();
        Number(json, "atol", o.Tolerance.Atol);
        Number(json, "rtol", o.Tolerance.Rtol);
        json.WriteNumber("elements", o.Elements);
        json.WriteNumber("violations", o.Violations);
        json.WriteNumber("nanMismatches", o.NanMismatches);
        Number(json, "maxAbsError", o.MaxAbsError);
        Number(json, "maxRelError", o.MaxRelError);
        Number(json, "meanAbsError", o.MeanAbsError);
        Number(json, "cosineSimilarity", o.CosineSimilarity);
        if (o.Top1Agreement is { } t1) Number(json, "top1Agreement", t1); else json.WriteNull("top1Agreement");
        if (o.Top5Overlap is { } t5) Number(json, "top5Overlap", t5); else json.WriteNull("top5Overlap");
        json.WriteNumber("rows", o.Rows);
        if (o.Worst is { } w)
        {
            json.WriteStartObject("worst");
            json.WriteString("run", w.Run);
            json.WriteStartArray("index");
            foreach (var i in w.Index) json.WriteNumberValue(i);
            json.WriteEndArray();
            Number(json, "original", w.Original);
            Number(json, "candidate", w.Candidate);
            Number(json, "absError", w.AbsError);
            Number(json, "allowed", w.Allowed);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("worst");
        }
        json.WriteStartObject("histogram");
        for (var b = 0; b < ErrorHistogram.Labels.Count; b++)
            json.WriteNumber(ErrorHistogram.Labels[b], o.Histogram.Counts[b]);
        json.WriteEndObject();
        Number(json, "meanRelError", o.MeanRelError);
        json.WriteString("errorStatistic", o.Check.ToString());
        Number(json, "statisticAbsError", o.StatisticAbsError);
        Number(json, "statisticRelError", o.StatisticRelError);
        json.WriteNumber("nonFiniteOriginal", o.NonFiniteOriginal);
        json.WriteNumber("nonFiniteCandidate", o.NonFiniteCandidate);
        Number(json, "maxAbsOriginal", o.MaxAbsOriginal);
        json.WriteString("message", o.Describe());
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
            json.WriteNumber(name, value);
        else
            json.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }
}
