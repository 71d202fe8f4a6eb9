using OnnxBn.Folding.Onnx;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// The order in which a save puts a model and its external data in place: no crash between two renames may leave a
/// model next to data that is not its own.
/// </summary>
public sealed class SaveCommitTests
{
    private static readonly (string Temp, string Final)[] Data = [("/d/.w.tmp", "/d/out.onnx.data")];

    [Fact]
    public void Replacing_Existing_Data_Removes_The_Old_Model_Durably_Before_Any_Data_File_Moves()
    {
        var steps = SaveCommit.Plan(Data, "/d/.out.tmp", "/d/out.onnx", _ => true);

        Assert.Equal(
        [
            new SaveCommit.Step(null, "/d/out.onnx", SyncFolderAfter: true),
            new SaveCommit.Step("/d/.w.tmp", "/d/out.onnx.data", false),
            new SaveCommit.Step("/d/.out.tmp", "/d/out.onnx", SyncFolderAfter: true),
        ], steps);
    }

    [Fact]
    public void A_First_Save_Renames_Data_Then_The_Model_Without_Removing_Anything()
    {
        var steps = SaveCommit.Plan(Data, "/d/.out.tmp", "/d/out.onnx", _ => false);

        Assert.Equal(["/d/out.onnx.data", "/d/out.onnx"], steps.Select(s => s.Final));
        Assert.All(steps, s => Assert.NotNull(s.Temp));
    }

    [Fact]
    public void New_Data_Files_Beside_An_Existing_Model_Need_No_Removal()
    {
        // The old model cannot read a data file that did not exist: renaming it first is safe.
        var steps = SaveCommit.Plan(Data, "/d/.out.tmp", "/d/out.onnx", path => path == "/d/out.onnx");

        Assert.DoesNotContain(steps, s => s.Temp is null);
    }

    [Fact]
    public void An_Inline_Model_Replaces_Its_Predecessor_With_One_Rename()
    {
        var steps = SaveCommit.Plan([], "/d/.out.tmp", "/d/out.onnx", _ => true);

        Assert.Equal([new SaveCommit.Step("/d/.out.tmp", "/d/out.onnx", SyncFolderAfter: true)], steps);
    }

    [Fact]
    public void Saving_Another_Model_Over_An_External_Data_Pair_Leaves_The_New_Pair_And_No_Temporaries()
    {
        using var temp = new TempFolder();
        var externalize = new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 1 };
        string output = temp.File("out.onnx");
        var first = OnnxModel.Load(ExternalDataModel.Write(temp.Path));
        first.Save(output, externalize);

        var second = first.Clone();
        second.Graph.SetInitializer(TensorData.Create("W", [2, 2], new float[] { 9f, 8f, 7f, 6f }));
        second.Save(output, externalize);

        var reloaded = OnnxModel.Load(output);
        Assert.Equal([9f, 8f, 7f, 6f], reloaded.Graph.Initializer("W")!.ToArray<float>());
        Assert.Equal(ExternalDataModel.B, reloaded.Graph.Initializer("B")!.ToArray<float>());
        Assert.True(ExternalDataModel.IsExternal(ExternalDataModel.Parse(output), "W"));
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
