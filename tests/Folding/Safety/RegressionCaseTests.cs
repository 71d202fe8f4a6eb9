using OnnxBn.Folding.Tests.Safety.Fuzz;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// Every model that ever failed a fuzz campaign, pinned: each folder under Regressions/ holds a case's files (the
/// model as m.onnx, its data files, recipe.txt saying how it was made) and runs through the same checks as the
/// campaign, with the same hostile neighbours (FIFO, folder, links out of the folder) next to it.
/// </summary>
public sealed class RegressionCaseTests
{
    private static string Folder => Path.Combine(RepositoryPaths.Root, "tests", "Folding", "Safety", "Regressions");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(Folder).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(folder));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pinned_Case_Ends_Saved_Or_Refused(string name)
    {
        var fuzz = new FuzzCase(0, name);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Folder, name)).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)))
            fuzz.Files[Path.GetFileName(file)] = File.ReadAllBytes(file);
        StructureMutator.AddSpecials(fuzz);
        using var temp = new TempFolder();

        var (outcome, detail) = FuzzRunner.Run(fuzz, temp.File("case"));

        Assert.True(outcome != FuzzOutcome.Failed, $"{name}: {detail}");
    }
}
