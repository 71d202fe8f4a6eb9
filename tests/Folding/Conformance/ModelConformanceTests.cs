using OnnxBn.Runtime.Reference;

namespace OnnxBn.Folding.Tests.Conformance;

/// <summary>
/// Every model in models/: the reference evaluator
/// reproduces the exporter's output_0.pb from input_0.pb before and after folding, within the manifest's tolerance,
/// and the fold pass folds backward, forward or keeps exactly as many BNs as the manifest's batchnorm[].fold says.
/// </summary>
public sealed class ModelConformanceTests
{
    public static TheoryData<string> RepoModelNames()
    {
        var data = new TheoryData<string>();
        foreach (var model in ModelZoo.Read(ModelZoo.RepoModels)) data.Add(model.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RepoModelNames))]
    public void Repo_Model_Folds_As_The_Manifest_Says_And_Still_Matches_Its_Test_Data(string name)
    {
        var model = ModelZoo.Read(ModelZoo.RepoModels).Single(m => m.Name == name);
        string? violation = Violation(model);
        Assert.True(violation is null, violation);
    }

    /// <summary>Null when <paramref name="zoo"/> conforms, else what is wrong (naming the model).</summary>
    internal static string? Violation(ZooModel zoo)
    {
        var model = OnnxModel.Load(zoo.ModelPath);
        var (input, expected) = zoo.TestCase();
        var inputs = new Dictionary<string, RefTensor> { [model.Graph.RuntimeInputs[0].Name] = input };
        string outputName = model.Graph.Outputs[0].Name;
        double bound = zoo.Tolerance * Math.Max(1, expected.MaxAbs());

        var original = ReferenceEvaluator.Evaluate(model, inputs)[outputName];
        double originalError = original.MaxAbsDiff(expected);
        if (!(originalError <= bound))
            return $"{zoo.Name}: original differs from output_0.pb by {originalError:G4} > {bound:G4} (evaluator or fixture is wrong)";

        var folded = model.Clone();
        var report = FoldPass.Run(folded);
        var after = ReferenceEvaluator.Evaluate(folded, inputs)[outputName];
        double foldedError = after.MaxAbsDiff(expected);
        if (!(foldedError <= bound))
            return $"{zoo.Name}: folded differs from output_0.pb by {foldedError:G4} > {bound:G4}";

        var bns = report.Fates.Where(f => f.Kind == "BatchNormalization").ToList();
        var actual = (bns.Count(f => f.Outcome == BnOutcome.FoldedBackward), bns.Count(f => f.Outcome == BnOutcome.FoldedForward),
            bns.Count(f => f.Outcome == BnOutcome.Kept));
        if (actual != zoo.ExpectedFates)
            return $"{zoo.Name}: (backward, forward, kept) = {actual}, manifest says {zoo.ExpectedFates}: "
                + string.Join(" | ", bns.Select(f => $"{f.Node}: {f.Description}"));
        return null;
    }
}
