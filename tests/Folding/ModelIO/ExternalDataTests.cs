using OnnxBn.TestUtilities;
namespace OnnxBn.Folding.Tests.ModelIO;

public sealed class ExternalDataTests
{
    [Fact]
    public void Loads_External_Initializers_At_Their_Offsets()
    {
        using var temp = new TempFolder();
        var model = OnnxModel.Load(ExternalDataModel.Write(temp.Path));

        ExternalDataModel.AssertValues(model);
    }

    [Fact]
    public void Keep_Layout_In_Another_Folder_Writes_The_Same_Bytes_Under_A_Name_Derived_From_The_Output()
    {
        using var source = new TempFolder();
        using var target = new TempFolder();
        string path = ExternalDataModel.Write(source.Path);
        var inputs = ModelFiles.HashTree(source.Path);

        OnnxModel.Load(path).Save(target.File("m.onnx"));

        Assert.Equal(["m.onnx", "m.onnx.data"], target.FileNames());
        Assert.Equal(File.ReadAllBytes(source.File("weights.bin")), File.ReadAllBytes(target.File("m.onnx.data")));
        ExternalDataModel.AssertValues(OnnxModel.Load(target.File("m.onnx")));
        Assert.Equal(inputs, ModelFiles.HashTree(source.Path));
    }

    [Fact]
    public void Inline_Layout_Writes_No_External_File_And_Identical_Values()
    {
        using var source = new TempFolder();
        using var target = new TempFolder();
        string path = ExternalDataModel.Write(source.Path);

        OnnxModel.Load(path).Save(target.File("m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.Inline });

        Assert.Equal(["m.onnx"], target.FileNames());
        var saved = ExternalDataModel.Parse(target.File("m.onnx"));
        Assert.False(ExternalDataModel.IsExternal(saved, "W"));
        Assert.False(ExternalDataModel.IsExternal(saved, "B"));
        ExternalDataModel.AssertValues(OnnxModel.Load(target.File("m.onnx")));
    }

    [Fact]
    public void ExternalizeLarge_Moves_Tensors_At_Or_Above_The_Threshold_Only()
    {
        using var source = new TempFolder();
        using var target = new TempFolder();
        var inline = OnnxModel.Load(ExternalDataModel.Write(source.Path));
        inline.Save(source.File("inline.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.Inline });

        OnnxModel.Load(source.File("inline.onnx")).Save(target.File("big.onnx"),
            new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 16 });

        Assert.Equal(["big.onnx", "big.onnx.data"], target.FileNames());
        var saved = ExternalDataModel.Parse(target.File("big.onnx"));
        Assert.True(ExternalDataModel.IsExternal(saved, "W"));
        Assert.False(ExternalDataModel.IsExternal(saved, "B"));
        Assert.Equal(16, new FileInfo(target.File("big.onnx.data")).Length);
        ExternalDataModel.AssertValues(OnnxModel.Load(target.File("big.onnx")));
    }

    [Fact]
    public void Keep_Layout_Next_To_The_Source_Does_Not_Overwrite_The_Source_Data_File()
    {
        using var folder = new TempFolder();
        string path = ExternalDataModel.Write(folder.Path);
        var inputs = ModelFiles.HashTree(folder.Path);

        OnnxModel.Load(path).Save(folder.File("m2.onnx"));

        Assert.Equal(inputs, ModelFiles.HashTree(folder.Path).Where(e => inputs.ContainsKey(e.Key)).ToDictionary());
        Assert.Equal(["m.onnx", "m2.onnx", "m2.onnx.data", "weights.bin"], folder.FileNames());
        Assert.Equal(File.ReadAllBytes(folder.File("weights.bin")), File.ReadAllBytes(folder.File("m2.onnx.data")));
        ExternalDataModel.AssertValues(OnnxModel.Load(folder.File("m2.onnx")));
    }

    [Fact]
    public void Saving_Over_The_Source_Is_Refused_And_Leaves_Every_File_Untouched()
    {
        using var folder = new TempFolder();
        string path = ExternalDataModel.Write(folder.Path);
        var inputs = ModelFiles.HashTree(folder.Path);
        var model = OnnxModel.Load(path);

        var error = Assert.Throws<IOException>(() => model.Save(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("overwrite", error.Message);
        Assert.Equal(inputs, ModelFiles.HashTree(folder.Path));
    }

    [Fact]
    public void Saving_Over_The_Source_With_OverwriteSource_Rewrites_It_Readably()
    {
        using var folder = new TempFolder();
        string path = ExternalDataModel.Write(folder.Path);
        var model = OnnxModel.Load(path);

        model.Save(path, new ModelSaveOptions { OverwriteSource = true });

        Assert.Equal(["m.onnx", "m.onnx.data", "weights.bin"], folder.FileNames());
        ExternalDataModel.AssertValues(OnnxModel.Load(path));
    }

    [Fact]
    public void A_Tensor_Changed_After_Loading_Is_Appended_Without_Moving_The_Kept_Ones()
    {
        using var source = new TempFolder();
        using var target = new TempFolder();
        var model = OnnxModel.Load(ExternalDataModel.Write(source.Path));
        model.Graph.SetInitializer(TensorData.Create("B", [2], [9f, 8f]).WithPlacementOf(model.Graph.Initializer("B")));

        model.Save(target.File("m.onnx"));

        var saved = OnnxModel.Load(target.File("m.onnx"));
        Assert.Equal(ExternalDataModel.W, saved.Graph.Initializer("W")!.ToArray<float>());
        Assert.Equal([9f, 8f], saved.Graph.Initializer("B")!.ToArray<float>());
        Assert.Equal(File.ReadAllBytes(source.File("weights.bin"))[..16], File.ReadAllBytes(target.File("m.onnx.data"))[..16]);
    }
}
