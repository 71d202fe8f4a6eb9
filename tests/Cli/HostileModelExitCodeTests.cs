using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>
/// Exit codes for hostile models and failed writes: an invalid model is 3 with one line naming the tensor, an I/O
/// failure is 74 with the OS's reason, and neither leaves anything behind.
/// </summary>
public sealed class HostileModelExitCodeTests
{
    [Theory]
    [InlineData("inspect")]
    [InlineData("fold")]
    public void A_Nul_In_An_External_Location_Is_An_Invalid_Model(string command)
    {
        string model = HostileFiles.ModelPointingAt(CliHarness.NewFolder(), "w\0.bin");

        var (code, _, error) = CliHarness.Run(command, model);

        Assert.Equal((int)ExitCode.InvalidModel, code);
        Assert.Contains("tensor 'W'", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Data_Symlinked_Outside_The_Folder_Is_Exit_3_Unless_Allowed()
    {
        string outside = CliHarness.NewFolder();
        File.WriteAllBytes(Path.Combine(outside, "w.bin"), HostileFiles.WeightBytes());
        string folder = CliHarness.NewFolder();
        string model = HostileFiles.ModelPointingAt(folder, "w.bin");
        File.CreateSymbolicLink(Path.Combine(folder, "w.bin"), Path.Combine(outside, "w.bin"));

        var refused = CliHarness.Run("fold", model);
        var allowed = CliHarness.Run("fold", model, "--allow-external-data-outside");

        Assert.Equal((int)ExitCode.InvalidModel, refused.Code);
        Assert.Contains("tensor 'W'", refused.Err);
        Assert.Contains("outside the model's folder", refused.Err);
        Assert.Contains("--allow-external-data-outside", refused.Err);
        Assert.DoesNotContain("ModelLoadOptions", refused.Err);
        Assert.True(allowed.Code == 0, allowed.Err);
    }

    [Fact]
    public void Data_Outside_The_Folder_By_Its_Path_Names_The_Flag_That_Allows_It()
    {
        string model = HostileFiles.ModelPointingAt(CliHarness.NewFolder(), "../w.bin");

        var (code, _, error) = CliHarness.Run("inspect", model);

        Assert.Equal((int)ExitCode.InvalidModel, code);
        Assert.Contains("escapes the model's folder; allow it only for a layout you trust (onnxbn fold/inspect --allow-external-data-outside)", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_Model_With_An_Empty_Unknown_Group_Folds()
    {
        string folder = CliHarness.NewFolder();
        string model = Path.Combine(folder, "m.onnx");
        File.WriteAllBytes(model, [.. CliHarness.ConvBn().ToBytes(), 0xEB, 0x04, 0xEC, 0x04]);

        var (code, _, error) = CliHarness.Run("fold", model);

        Assert.True(code == 0, error);
    }

    [Fact]
    public void Io_Failures_Map_To_74_And_Missing_Files_To_3()
    {
        Assert.Equal(ExitCode.IoError, ExceptionExitCodes.Classify(new ModelWriteException("/x/out.onnx", "No space left on device")));
        Assert.Equal(ExitCode.IoError, ExceptionExitCodes.Classify(new IOException("Read-only file system")));
        Assert.Equal(ExitCode.IoError, ExceptionExitCodes.Classify(new UnauthorizedAccessException("denied")));
        Assert.Equal(ExitCode.InvalidModel, ExceptionExitCodes.Classify(new FileNotFoundException("gone")));
        Assert.Equal(74, (int)ExitCode.IoError);
        Assert.Contains("74 I/O error", ExceptionExitCodes.HelpTable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fold_Into_A_Full_Or_Read_Only_Disk_Exits_74_With_The_Os_Reason_And_Leaves_Nothing(bool readOnly)
    {
        using var disk = SmallDisk.TryMount(kilobytes: 16, readOnly);
        Assert.True(disk is not null || !SmallDisk.ShouldBeAbleToMount, "root could not mount a tmpfs");
        if (disk is null) return; // not root: the library tests cover the failure paths
        var big = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 64)
            .Output("y", OnnxDataType.Float, 1, 64)
            .Initializer("W", [64, 64], new float[64 * 64])
            .Node("MatMul", ["x", "W"], ["y"], "mm");
        string input = CliHarness.Write(big);

        var (code, _, error) = CliHarness.Run("fold", input, "-o", Path.Combine(disk.Path, "out.onnx"));

        Assert.Equal((int)ExitCode.IoError, code);
        Assert.Matches(readOnly ? "Read-only file system" : "No space left on device", error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path));
    }
}
