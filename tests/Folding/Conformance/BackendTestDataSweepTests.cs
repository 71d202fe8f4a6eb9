using OnnxBn.TestUtilities;
using Xunit.Abstractions;

namespace OnnxBn.Folding.Tests.Conformance;

/// <summary>
/// Every model of ONNX's backend test data (Debian's libonnx-testdata, ~1,000 models of every op and opset) folds, with
/// and without lowering, to a model that serializes and loads again — or is refused with an
/// <see cref="OnnxModelException"/> when it is loaded. Any other exception, from loading, folding or saving, is a bug.
/// The totals of BN fates go to the test output (the numbers the sweep reports).
/// </summary>
public sealed class BackendTestDataSweepTests(ITestOutputHelper output)
{
    private static readonly string DataDirectory = RepositoryPaths.BackendTestData;

    // scripts/install-deps.sh installs the package; a missing folder is a failed set-up, not a pass.
    [Fact]
    public void Every_Backend_Test_Model_Folds_Or_Is_Refused_Cleanly()
    {
        Assert.True(Directory.Exists(DataDirectory), $"{DataDirectory} is absent: run scripts/install-deps.sh (apt-get install libonnx-testdata)");
        var models = Directory.EnumerateFiles(DataDirectory, "model.onnx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(models.Count > 1000, $"only {models.Count} models under {DataDirectory}");
        var failures = new List<string>();
        int refused = 0, folded = 0, kept = 0, lowered = 0;
        foreach (string path in models)
        {
            OnnxModel model;
            try
            {
                model = OnnxModel.Load(path);
            }
            catch (OnnxModelException)
            {
                refused++;
                continue;
            }
            try
            {
                var report = FoldPass.Run(model.Clone());
                folded += report.Folded;
                kept += report.Kept;
                var lowering = model.Clone();
                lowered += FoldPass.Run(lowering, new FoldOptions { LowerUnfolded = true }).Lowered;
                OnnxModel.FromBytes(lowering.ToBytes());
            }
            catch (Exception e)
            {
                failures.Add($"{path}: {e.GetType().Name}: {e.Message}");
            }
        }
        output.WriteLine($"{models.Count} models: {refused} refused at load; BNs folded {folded}, kept {kept}; lowered with --lower-unfolded {lowered}");
        Assert.True(models.Count > 0, $"no model.onnx under {DataDirectory}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
