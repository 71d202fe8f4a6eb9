using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>Folding is idempotent and deterministic: the same input gives the same bytes, and a folded model stays put.</summary>
public sealed class DeterminismTests
{
    public static TheoryData<string> Models => RepoModelFiles();

    [Fact]
    public void The_Repository_Has_Models_To_Check()
    {
        Assert.True(Models.Count >= 10, $"models/manifest.json lists {Models.Count} models");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Folding_A_Folded_Model_Changes_Nothing(string file)
    {
        var model = OnnxModel.Load(RepoModel(file));
        FoldPass.Run(model);
        byte[] once = model.ToBytes();

        var again = FoldPass.Run(model);

        Assert.Equal(0, again.Folded + again.Lowered);
        Assert.All(again.Fates, f => Assert.Equal(BnOutcome.Kept, f.Outcome));
        Assert.Equal(once, model.ToBytes());
        Assert.Equal(again.Before, again.After);
        Assert.Equal(again.NodesBefore, again.NodesAfter);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Folding_A_Reloaded_Folded_Model_Changes_Nothing(string file)
    {
        var model = OnnxModel.Load(RepoModel(file));
        FoldPass.Run(model);
        byte[] once = model.ToBytes();

        var reloaded = OnnxModel.FromBytes(once);
        FoldPass.Run(reloaded);

        Assert.Equal(once, reloaded.ToBytes());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Two_Loads_Fold_To_Identical_Bytes_And_Reports(string file)
    {
        var first = OnnxModel.Load(RepoModel(file));
        var second = OnnxModel.Load(RepoModel(file));

        var firstReport = FoldPass.Run(first);
        var secondReport = FoldPass.Run(second);

        Assert.Equal(first.ToBytes(), second.ToBytes());
        Assert.Equal(firstReport.ToJson(), secondReport.ToJson());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Two_Saves_Of_Two_Folds_Write_Identical_Files(string file)
    {
        using var temp = new TempFolder();
        string a = temp.File("a.onnx"), b = temp.File("b.onnx");

        var first = OnnxModel.Load(RepoModel(file));
        FoldPass.Run(first);
        first.Save(a);
        var second = OnnxModel.Load(RepoModel(file));
        FoldPass.Run(second);
        second.Save(b);

        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(first.ToBytes(), File.ReadAllBytes(a));
    }
}
