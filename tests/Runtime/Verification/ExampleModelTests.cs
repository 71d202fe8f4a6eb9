using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>Every model in models/ folded with FoldPass is equivalent to the original on its own test data.</summary>
public sealed class ExampleModelTests
{
    public static TheoryData<string> ModelNames()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepositoryPaths.ModelFiles())
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Folded_Model_Is_Equivalent_On_Its_Test_Data(string name)
    {
        var dir = Path.Combine(VerificationModels.RepoRoot(), "models");
        var original = OnnxModel.Load(Path.Combine(dir, name + ".onnx"));
        var folded = original.Clone();
        FoldPass.Run(folded);
        var options = new EquivalenceOptions { Inputs = new BackendTestDataSource(Path.Combine(dir, name)) };
        var report = EquivalenceChecker.Compare(original, folded, options);
        Assert.True(report.IsEquivalent, report.FailureMessage);
        Assert.True(report.Runs >= 1);
    }
}
