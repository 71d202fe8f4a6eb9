using System.Globalization;
using System.Xml.Linq;

namespace OnnxBn.Runtime.Verification;

/// <summary>The report as a JUnit XML test suite, so CI systems show each output as a test.</summary>
public sealed partial class EquivalenceReport
{
    /// <summary>
    /// One <c>testsuite</c> named after the candidate with one <c>testcase</c> per output (a <c>failure</c> element
    /// carrying the pinpointing message when it failed) and one failing <c>testcase</c> per problem.
    /// </summary>
    public string ToJUnitXml()
    {
        var suiteName = $"onnxbn verify {Path.GetFileName(Candidate)} against {Path.GetFileName(Original)}";
        var className = "onnxbn.verify." + Path.GetFileNameWithoutExtension(Candidate);
        var perCase = Outputs.Count > 0 ? Elapsed.TotalSeconds / Outputs.Count : 0;
        var cases = Outputs.Select(o => Case(className, $"output {o.Name}", perCase,
            o.Passed ? null : (o.Verdict.ToString(), o.Describe()), OutputDetails(o))).ToList();
        cases.AddRange(Problems.Select((p, i) => Case(className, $"problem {i + 1}", 0, ("Problem", p), p)));
        if (Runs == 0 && Problems.Count == 0)
            cases.Add(Case(className, "runs", 0, ("NoRuns", "no run was made: the input source produced no data"), ""));
        var failures = cases.Count(c => c.Element("failure") is not null);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", Seconds(Elapsed.TotalSeconds)),
            new XElement("properties",
                Property("original", Original), Property("candidate", Candidate), Property("inputs", Inputs),
                Property("runs", Runs.ToString(CultureInfo.InvariantCulture)),
                Property("originalDevice", OriginalDevice.ToString()), Property("candidateDevice", CandidateDevice.ToString()),
                Property("ortOptimization", OptimizationLevel.ToString().ToLowerInvariant())),
            cases,
            new XElement("system-out", ToText()));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites", new XAttribute("tests", cases.Count), new XAttribute("failures", failures), suite));
        return document.Declaration + Environment.NewLine + document.Root;
    }

    private static XElement Case(string className, string name, double seconds, (string Type, string Message)? failure, string details)
    {
        var element = new XElement("testcase",
            new XAttribute("classname", className), new XAttribute("name", name), new XAttribute("time", Seconds(seconds)));
        if (failure is { } f)
            element.Add(new XElement("failure", new XAttribute("type", f.Type), new XAttribute("message", f.Message), details));
        else if (details.Length > 0)
            element.Add(new XElement("system-out", details));
        return element;
    }

    private static string OutputDetails(OutputComparison o) => string.Create(CultureInfo.InvariantCulture,
        $"elements={o.Elements} violations={o.Violations} maxAbsError={OutputComparison.Num(o.MaxAbsError)} " +
        $"maxRelError={OutputComparison.Num(o.MaxRelError)} meanAbsError={OutputComparison.Num(o.MeanAbsError)} " +
        $"cosine={OutputComparison.Num(o.CosineSimilarity)} top1={(o.Top1Agreement is { } t1 ? OutputComparison.Num(t1) : "-")} " +
        $"top5={(o.Top5Overlap is { } t5 ? OutputComparison.Num(t5) : "-")} {o.Tolerance}");

    private static XElement Property(string name, string value) =>
        new("property", new XAttribute("name", name), new XAttribute("value", value));

    private static string Seconds(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);
}
