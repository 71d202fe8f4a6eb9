using OnnxBn.Folding;
using OnnxBn.TestUtilities;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training.Tests.Surgery;

/// <summary>A cut is an edited copy of the model: it keeps the source path and where each kept weight sits.</summary>
public sealed class GraphCutExternalDataTests
{
    [Fact]
    public void Cut_Keeps_The_Source_Path_So_Saving_It_Over_The_Source_Is_Refused()
    {
        using var folder = new TempFolder();
        var model = OnnxModel.Load(ExternalDataModel.Write(folder.Path));

        var cut = GraphCut.Cut(model, "h");

        Assert.Equal(model.SourcePath, cut.SourcePath);
        Assert.Throws<IOException>(() => cut.Save(model.SourcePath!));
    }

    [Fact]
    public void Cut_Of_A_Model_With_External_Data_Keeps_Kept_Weights_External_And_Drops_The_Rest()
    {
        using var folder = new TempFolder();
        var model = OnnxModel.Load(ExternalDataModel.Write(folder.Path));
        Directory.CreateDirectory(folder.File("out"));

        GraphCut.Cut(model, "h").Save(folder.File("out/cut.onnx"));

        string saved = folder.File("out/cut.onnx");
        Assert.Equal(["W"], OnnxModel.Load(saved).Graph.Initializers.Select(t => t.Name));
        Assert.True(ExternalDataModel.IsExternal(saved, "W"));
        Assert.True(File.Exists(folder.File("out/cut.onnx.data")));
        var reloaded = OnnxModel.Load(folder.File("out/cut.onnx"));
        Assert.Equal(ExternalDataModel.W, reloaded.Graph.Initializer("W")!.ToArray<float>());
        Assert.Equal(["h"], reloaded.Graph.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void Model_B_Built_On_A_Cut_Keeps_The_Base_Weights_External()
    {
        using var folder = new TempFolder();
        var model = OnnxModel.Load(ExternalDataModel.Write(folder.Path));
        Directory.CreateDirectory(folder.File("out"));
        var head = new DenseSpec("o", 2, 1, [1f, -1f], [0.5f], null);

        ModelAssembly.Build(GraphCut.Cut(model, "h"), [], [head], "Sigmoid").Save(folder.File("out/b.onnx"));

        string saved = folder.File("out/b.onnx");
        Assert.True(ExternalDataModel.IsExternal(saved, "W"));
        Assert.False(ExternalDataModel.IsExternal(saved, "o.weight"));
        Assert.Equal(["MatMul", "Flatten", "Gemm", "Sigmoid"], OnnxModel.Load(folder.File("out/b.onnx")).Graph.Nodes.Select(n => n.OpType));
    }
}
