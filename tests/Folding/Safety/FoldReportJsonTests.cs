using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>A fold report written as JSON reads back as the same report, and what is no report is refused by name.</summary>
public sealed class FoldReportJsonTests
{
    [Theory]
    [InlineData("small_cnn_bn")]
    [InlineData("synth_loop_body_bn")]
    [InlineData("synth_ir3_initializer_inputs")]
    [InlineData("preact_negative_gamma")]
    public void Report_Reads_Back_As_It_Was_Written(string name)
    {
        var report = FoldPass.Run(OnnxModel.Load(Path.Combine(RepositoryPaths.Models, name + ".onnx")));

        var read = FoldReport.FromJson(report.ToJson());

        Assert.Equal(report.Fates, read.Fates);
        Assert.Equal(report.Fates.Select(f => f.Scope), read.Fates.Select(f => f.Scope));
        Assert.Equal((report.Before, report.After, report.NodesBefore, report.NodesAfter), (read.Before, read.After, read.NodesBefore, read.NodesAfter));
        Assert.Equal(report.FrozenInputs, read.FrozenInputs);
        Assert.Equal(report.FreezeReason, read.FreezeReason);
    }

    [Theory]
    [InlineData("[]", "no \"batchNorms\" list")]
    [InlineData("{\"batchNorms\": 3}", "no \"batchNorms\" list")]
    [InlineData("{\"batchNorms\": [7]}", "batchNorms[0] has no \"node\" string")]
    [InlineData("{\"batchNorms\": [{\"node\": \"bn\", \"kind\": \"BatchNormalization\", \"outcome\": \"Vanished\", \"detail\": \"\"}]}", "outcome \"Vanished\" is not one of")]
    [InlineData("{\"batchNorms\": [{\"node\": \"bn\", \"kind\": \"BatchNormalization\", \"outcome\": \"2\", \"detail\": \"\"}]}", "outcome \"2\" is not one of")]
    [InlineData("{\"batchNorms\": [", "not JSON")]
    public void What_Is_No_Fold_Report_Is_Refused_Saying_Why(string json, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => FoldReport.FromJson(json));
        Assert.Contains(reason, ex.Message);
    }
}
