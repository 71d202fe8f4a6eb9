using System.Diagnostics;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// External data locations chosen by an attacker: a save never writes outside the output's folder, a load never
/// reads outside the model's folder (unless the caller trusts the layout), never waits on a FIFO, and a location no
/// file can have is an invalid model.
/// </summary>
public sealed class HostileExternalDataTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private string Folder(string name) => Directory.CreateDirectory(_root.File(name)).FullName;

    [Fact]
    public void A_Location_With_Dot_Dot_Back_Into_The_Model_Folder_Is_Not_Reused_Relative_To_The_Output()
    {
        // The location resolves inside the model's folder on load, but "../in/.profile" next to out/ is a file outside it.
        string input = Folder("in");
        File.WriteAllBytes(Path.Combine(input, ".profile"), HostileFiles.WeightBytes());
        string model = HostileFiles.ModelPointingAt(input, "../in/.profile");
        string output = Folder("out");
        var victim = Path.Combine(Folder("elsewhere"), ".profile");
        File.WriteAllText(victim, "user's dotfile");
        string target = Path.Combine(_root.File("elsewhere"), "..", "out", "folded.onnx");
        var before = ModelFiles.HashTree(_root.Path);

        OnnxModel.Load(model).Save(Path.Combine(output, "folded.onnx"));

        Assert.Equal("user's dotfile", File.ReadAllText(victim));
        Assert.Equal(["folded.onnx", "folded.onnx.data"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        var after = ModelFiles.HashTree(_root.Path);
        Assert.Equal(before, after.Where(e => before.ContainsKey(e.Key)).ToDictionary());
        Assert.All(after.Keys.Except(before.Keys), path => Assert.StartsWith("out", path));
        ExternalDataModel.AssertValues(OnnxModel.Load(target));
    }

    [Fact]
    public void A_Data_File_Symlinked_To_Outside_The_Model_Folder_Is_Refused_Naming_The_Tensor()
    {
        string secret = Path.Combine(Folder("private"), "key");
        File.WriteAllBytes(secret, HostileFiles.WeightBytes());
        string input = Folder("in");
        string model = HostileFiles.ModelPointingAt(input, "weights.bin");
        File.CreateSymbolicLink(Path.Combine(input, "weights.bin"), secret);

        var error = BadInputAssert.LoadFails(model, "outside the model's folder", "symbolic link");

        Assert.Equal("tensor 'W'", error.Element);
    }

    [Fact]
    public void A_Data_File_Under_A_Symlinked_Folder_Outside_Is_Refused()
    {
        string outside = Folder("private");
        File.WriteAllBytes(Path.Combine(outside, "w.bin"), HostileFiles.WeightBytes());
        string input = Folder("in");
        Directory.CreateSymbolicLink(Path.Combine(input, "data"), outside);

        BadInputAssert.LoadFails(HostileFiles.ModelPointingAt(input, "data/w.bin"), "outside the model's folder");
    }

    [Fact]
    public void A_Trusted_Layout_Of_Symlinked_Data_Loads_When_Allowed()
    {
        string outside = Folder("disk2");
        File.WriteAllBytes(Path.Combine(outside, "w.bin"), HostileFiles.WeightBytes());
        string input = Folder("in");
        File.CreateSymbolicLink(Path.Combine(input, "w.bin"), Path.Combine(outside, "w.bin"));

        var model = OnnxModel.Load(HostileFiles.ModelPointingAt(input, "w.bin"), new ModelLoadOptions { AllowExternalDataOutsideModelFolder = true });

        ExternalDataModel.AssertValues(model);
    }

    [Fact]
    public void A_Symlink_That_Stays_Inside_The_Model_Folder_Is_Fine()
    {
        string input = Folder("in");
        File.WriteAllBytes(Path.Combine(input, "real.bin"), HostileFiles.WeightBytes());
        File.CreateSymbolicLink(Path.Combine(input, "w.bin"), "real.bin");

        ExternalDataModel.AssertValues(OnnxModel.Load(HostileFiles.ModelPointingAt(input, "w.bin")));
    }

    [Fact]
    public async Task A_Fifo_As_Data_File_Is_Refused_At_Once()
    {
        string input = Folder("in");
        HostileFiles.MakeFifo(Path.Combine(input, "w.bin"));
        string model = HostileFiles.ModelPointingAt(input, "w.bin");
        var clock = Stopwatch.StartNew();

        var load = Task.Run(() => BadInputAssert.LoadFails(model, "FIFO", "not a regular file"));

        Assert.Same(load, await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(5))));
        await load;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_Fifo_As_The_Model_File_Is_Refused_At_Once()
    {
        string fifo = _root.File("m.onnx");
        HostileFiles.MakeFifo(fifo);

        var load = Task.Run(() => BadInputAssert.LoadFails(fifo, "not a regular file"));

        Assert.Same(load, await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(5))));
        await load;
    }

    [Fact]
    public void A_Device_As_Data_File_Is_Refused()
    {
        string input = Folder("in");
        BadInputAssert.LoadFails(HostileFiles.ModelPointingAt(input, "w.bin"), "not found");
        File.CreateSymbolicLink(Path.Combine(input, "w.bin"), "/dev/zero");

        // The link leaves the folder, and even a trusted layout may not name a device.
        Assert.ThrowsAny<OnnxModelException>(() => OnnxModel.Load(Path.Combine(input, "m.onnx"), new ModelLoadOptions { AllowExternalDataOutsideModelFolder = true }));
    }

    [Theory]
    [InlineData("w\0.bin", "character")]
    [InlineData("w.bin\0../../etc/passwd", "character")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("../../../etc/passwd", "escapes")]
    [InlineData(".", "escapes")]
    [InlineData("sub/", "cannot be read")]
    public void A_Location_No_Data_File_Can_Have_Is_An_Invalid_Model(string location, string defect)
    {
        string input = Folder("in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));

        var error = BadInputAssert.LoadFails(HostileFiles.ModelPointingAt(input, location), defect);

        Assert.DoesNotContain('\0', error.Message);
    }

    [Fact]
    public void A_Huge_Location_Is_An_Invalid_Model_With_A_Short_Message()
    {
        string input = Folder("in");

        var error = BadInputAssert.LoadFails(HostileFiles.ModelPointingAt(input, new string('a', 100_000) + "\n.bin"));

        Assert.True(error.Message.Length < 1000, error.Message[..Math.Min(1000, error.Message.Length)]);
    }

    [Fact]
    public void A_Location_Equal_To_The_Output_Model_Name_Saves_A_Model_Equal_To_The_One_In_Memory()
    {
        string input = Folder("in");
        File.WriteAllBytes(Path.Combine(input, "folded.onnx"), HostileFiles.WeightBytes());
        var model = OnnxModel.Load(HostileFiles.ModelPointingAt(input, "folded.onnx"));
        string output = Path.Combine(Folder("out"), "folded.onnx");

        model.Save(output);

        var saved = OnnxModel.Load(output);
        ExternalDataModel.AssertValues(saved);
        Assert.Equal(model.ToBytes().Length, saved.ToBytes().Length);
        Assert.Equal(model.Graph.Initializers.Select(t => Convert.ToHexString(t.RawBytes)),
            saved.Graph.Initializers.Select(t => Convert.ToHexString(t.RawBytes)));
    }
}
