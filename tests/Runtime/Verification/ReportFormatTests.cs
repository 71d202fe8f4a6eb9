using System.Text.Json;
using System.Xml.Linq;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>The text, JSON and JUnit forms of a report carry the numbers.</summary>
public sealed class ReportFormatTests
{
    private static EquivalenceReport Failing() =>
        EquivalenceChecker.Compare(VerificationModels.TwoOutputs([1f, 2f, 3f]), VerificationModels.Scale([1f, 2.5f, 3f]));

    [Fact]
    public void Json_Parses_And_Holds_Every_Metric()
    {
        var report = Failing();
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.False(root.GetProperty("equivalent").GetBoolean());
        Assert.Equal(1, root.GetProperty("runs").GetInt32());
        var y = root.GetProperty("outputs")[0];
        var expected = report.Outputs[0];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.Equal(expected.MaxAbsError, y.GetProperty("maxAbsError").GetDouble());
        Assert.Equal(expected.MeanAbsError, y.GetProperty("meanAbsError").GetDouble());
        Assert.Equal(expected.CosineSimilarity, y.GetProperty("cosineSimilarity").GetDouble());
        Assert.Equal(expected.Worst!.Candidate, y.GetProperty("worst").GetProperty("candidate").GetDouble());
        Assert.Equal(expected.Worst.Index, y.GetProperty("worst").GetProperty("index").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(expected.Elements, y.GetProperty("histogram").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.Equal(1e-5, y.GetProperty("atol").GetDouble());
        Assert.Equal("Missing", root.GetProperty("outputs")[1].GetProperty("verdict").GetString());
        Assert.Contains("output 'y' at index", root.GetProperty("failureMessage").GetString());
    }

    [Fact]
    public void Json_Writes_Non_Finite_Numbers_As_Strings()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale([1f, 2f, 3f]), VerificationModels.Scale([1f, 2f, float.NaN]));
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal("NaN", json.RootElement.GetProperty("outputs")[0].GetProperty("maxAbsError").GetString());
    }

    [Fact]
    public void JUnit_Has_One_Testcase_Per_Output_With_Failures()
    {
        var report = Failing();
        var xml = XDocument.Parse(report.ToJUnitXml());
        var suite = xml.Root!.Element("testsuite")!;
        Assert.Equal("2", suite.Attribute("tests")!.Value);
        Assert.Equal("2", suite.Attribute("failures")!.Value);
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(["output y", "output z"], cases.Select(c => c.Attribute("name")!.Value));
        Assert.Contains("output 'y' at index", cases[0].Element("failure")!.Attribute("message")!.Value);
        Assert.Contains($"maxAbsError={OutputComparison.Num(report.Outputs[0].MaxAbsError)}", cases[0].Element("failure")!.Value);
    }

    [Fact]
    public void JUnit_Passing_Report_Has_No_Failures()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale([1f, 2f, 3f]), VerificationModels.Scale([1f, 2f, 3f]));
        var suite = XDocument.Parse(report.ToJUnitXml()).Root!.Element("testsuite")!;
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Empty(suite.Descendants("failure"));
    }

    [Fact]
    public void Text_Shows_Table_Histogram_And_Verdict()
    {
        var text = Failing().ToText(verbose: true);
        Assert.Contains("max abs", text);
        Assert.Contains("|a-b| histogram of 'y'", text);
        Assert.Contains("FAIL (missing)", text);
        Assert.Contains("NOT EQUIVALENT", text);
        Assert.Contains("in ONNX Runtime Run", text);
    }
}
