using OnnxBn.Folding.Onnx;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// The order in which a save puts a model and its external data in place: a crash between any two steps leaves the
/// old model with its data or the new model with its data, never no model and never a model next to foreign data.
/// </summary>
public sealed class SaveCommitTests
{
    private static readonly (string Temp, string Final)[] Data = [("/d/.w.tmp", "/d/out.onnx.1.data")];

    [Fact]
    public void Data_Goes_To_New_Names_And_Is_Synced_Before_The_Model_Replaces_Its_Predecessor()
    {
        var steps = SaveCommit.Plan(Data, "/d/.out.tmp", "/d/out.onnx", ["/d/out.onnx.data"]);

        Assert.Equal(
        [
            new SaveCommit.Step(SaveCommit.Action.PlaceData, "/d/.w.tmp", "/d/out.onnx.1.data", SyncFolderAfter: true),
            new SaveCommit.Step(SaveCommit.Action.ReplaceModel, "/d/.out.tmp", "/d/out.onnx", SyncFolderAfter: true),
            new SaveCommit.Step(SaveCommit.Action.RemoveSuperseded, null, "/d/out.onnx.data", false),
        ], steps);
    }

    [Fact]
    public void An_Inline_Model_Replaces_Its_Predecessor_With_One_Rename()
    {
        var steps = SaveCommit.Plan([], "/d/.out.tmp", "/d/out.onnx", []);

        Assert.Equal([new SaveCommit.Step(SaveCommit.Action.ReplaceModel, "/d/.out.tmp", "/d/out.onnx", SyncFolderAfter: true)], steps);
    }

    [Fact]
    public void Saving_Another_Model_Over_An_External_Data_Pair_Leaves_The_New_Pair_And_No_Temporaries()
    {
        using var temp = new TempFolder();
        string output = temp.File("out.onnx");
        var first = OnnxModel.Load(ExternalDataModel.Write(temp.Path));
        first.Save(output, Externalize);

        var second = first.Clone();
        second.Graph.SetInitializer(TensorData.Create("W", [2, 2], new float[] { 9f, 8f, 7f, 6f }));
        second.Save(output, Externalize);

        var reloaded = OnnxModel.Load(output);
        Assert.Equal([9f, 8f, 7f, 6f], reloaded.Graph.Initializer("W")!.ToArray<float>());
        Assert.Equal(ExternalDataModel.B, reloaded.Graph.Initializer("B")!.ToArray<float>());
        Assert.True(ExternalDataModel.IsExternal(ExternalDataModel.Parse(output), "W"));
        Assert.Equal(["m.onnx", "out.onnx", "out.onnx.1.data", "weights.bin"], temp.FileNames());
    }

    [Fact]
    public void A_Crash_After_Any_Step_Leaves_The_Old_Or_The_New_Model_And_The_Next_Save_Cleans_Up()
    {
        for (int crashAfter = 0; ; crashAfter++)
        {
            using var temp = new TempFolder();
            string output = temp.File("out.onnx");
            var old = OnnxModel.Load(ExternalDataModel.Write(temp.Path));
            old.Save(output, Externalize);
            var next = old.Clone();
            next.Graph.SetInitializer(TensorData.Create("W", [2, 2], new float[] { 9f, 8f, 7f, 6f }));

            using var staged = next.Stage(Path.GetFullPath(output), Externalize, DataFileNames.For(output, Externalize), overwritesSource: false);
            int total = staged.Steps.Count;
            for (int i = 0; i < crashAfter && i < total; i++)
                staged.RunNext();
            staged.Abandon(); // the process dies here: nothing is cleaned up

            float[] w = OnnxModel.Load(output).Graph.Initializer("W")!.ToArray<float>();
            Assert.True(w.SequenceEqual(ExternalDataModel.W) || w.SequenceEqual([9f, 8f, 7f, 6f]), $"crash after step {crashAfter}: W = {string.Join(",", w)}");

            next.Save(output, Externalize);
            Assert.Equal([9f, 8f, 7f, 6f], OnnxModel.Load(output).Graph.Initializer("W")!.ToArray<float>());
            Assert.DoesNotContain(temp.FileNames(), n => n.EndsWith(".tmp", StringComparison.Ordinal));
            Assert.Single(temp.FileNames(), n => n.StartsWith("out.onnx.", StringComparison.Ordinal));
            if (crashAfter > total)
                break;
        }
    }

    private static readonly ModelSaveOptions Externalize = new() { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 1 };
}
