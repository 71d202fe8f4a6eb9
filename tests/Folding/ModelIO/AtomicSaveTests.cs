using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>A save that fails part-way leaves no temporary files and no partial output behind.</summary>
public sealed class AtomicSaveTests : IDisposable
{
    // 240 characters is a legal file name (the limit is 255) but the temporary name built from it is not, so
    // creating the model's temporary file fails after any external data file has been staged.
    private static readonly string LongName = new string('m', 235) + ".onnx";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Failed_Save_Leaves_No_Temporary_File()
    {
        var model = BadInputTests.ModelWithWeights().Build();

        Assert.ThrowsAny<IOException>(() => model.Save(_temp.File(LongName)));

        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public void Failed_Save_With_External_Data_Leaves_Neither_Data_Nor_Temporary_Files()
    {
        var model = BadInputTests.ModelWithWeights().Build();
        var options = new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 16, ExternalFileName = "w.bin" };

        Assert.ThrowsAny<IOException>(() => model.Save(_temp.File(LongName), options));

        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public void Failed_Save_Keeps_The_Previous_Output_File_Intact()
    {
        File.WriteAllText(_temp.File(LongName), "previous");
        var model = BadInputTests.ModelWithWeights().Build();

        Assert.ThrowsAny<IOException>(() => model.Save(_temp.File(LongName)));

        Assert.Equal([LongName], _temp.FileNames());
        Assert.Equal("previous", File.ReadAllText(_temp.File(LongName)));
    }

    [Fact]
    public void Saving_Onto_A_Directory_Writes_No_Data_File()
    {
        Directory.CreateDirectory(_temp.File("out.onnx"));
        var model = BadInputTests.ModelWithWeights().Build();
        var options = new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 16 };

        Assert.ThrowsAny<IOException>(() => model.Save(_temp.File("out.onnx"), options));

        Assert.Equal(["out.onnx"], _temp.FileNames());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.File("out.onnx")));
    }

    [Fact]
    public void Successful_Save_Replaces_An_Existing_File_And_Leaves_No_Temporary_File()
    {
        File.WriteAllText(_temp.File("out.onnx"), "previous");
        var model = BadInputTests.ModelWithWeights().Build();

        model.Save(_temp.File("out.onnx"));

        Assert.Equal(["out.onnx"], _temp.FileNames());
        Assert.Equal(model.ToBytes(), File.ReadAllBytes(_temp.File("out.onnx")));
    }
}
