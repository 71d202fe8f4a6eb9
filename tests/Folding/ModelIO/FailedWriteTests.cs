using OnnxBn.Folding.Onnx;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// A write that fails at any byte (disk full, read-only folder, a failure mid-payload) is a
/// <see cref="ModelWriteException"/> with the OS's reason, leaves no temporary file and keeps the previous output.
/// </summary>
public sealed class FailedWriteTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A payload whose computation fails after <paramref name="goodBytes"/> bytes were written.</summary>
    private sealed class FailingPayload(int length, int goodBytes) : DeferredPayload
    {
        public override int Length => length;

        public override int Granularity => 4;

        public override void CopyTo(long offset, Span<byte> destination)
        {
            if (offset + destination.Length > goodBytes)
                throw new IOException("No space left on device");
            destination.Fill(1);
        }
    }

    private static OnnxModel ModelFailingMidWrite()
    {
        var model = BadInputTests.ModelWithWeights().Build();
        var first = model.Graph.Initializers.First();
        int length = 4 << 20;
        model.Graph.SetInitializer(new TensorData(first.Name, OnnxDataType.Float, [length / 4], new FailingPayload(length, length / 2)));
        return model;
    }

    [Theory]
    [InlineData(ExternalDataLayout.Inline)]
    [InlineData(ExternalDataLayout.ExternalizeLarge)]
    public void A_Failure_After_The_First_Byte_Leaves_No_Temporary_And_Keeps_The_Previous_Output(ExternalDataLayout layout)
    {
        File.WriteAllText(_temp.File("out.onnx"), "previous");

        var error = Assert.Throws<ModelWriteException>(() => ModelFailingMidWrite().Save(_temp.File("out.onnx"), new ModelSaveOptions { Layout = layout }));

        Assert.Contains("No space left on device", error.Message);
        Assert.StartsWith(_temp.File("out.onnx"), error.Message);
        Assert.Equal(["out.onnx"], _temp.FileNames());
        Assert.Equal("previous", File.ReadAllText(_temp.File("out.onnx")));
    }

    [Fact]
    public void A_Full_Disk_Is_A_Write_Error_With_The_Os_Reason_And_Leaves_Nothing()
    {
        using var disk = SmallDisk.TryMount(kilobytes: 256);
        Assert.True(disk is not null || !SmallDisk.ShouldBeAbleToMount, "root could not mount a tmpfs");
        if (disk is null) return; // not root: no way to fill a disk safely here
        var model = BadInputTests.ModelWithWeights().Build();
        model.Graph.SetInitializer(TensorData.Create("big", [1 << 18], new float[1 << 18])); // 1 MiB
        string output = Path.Combine(disk.Path, "out.onnx");

        var error = Assert.Throws<ModelWriteException>(() => model.Save(output, new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge }));

        Assert.Contains("No space left on device", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path));
    }

    [Fact]
    public void A_Read_Only_Folder_Is_A_Write_Error_With_The_Os_Reason()
    {
        using var disk = SmallDisk.TryMount(kilobytes: 256, readOnly: true);
        Assert.True(disk is not null || !SmallDisk.ShouldBeAbleToMount, "root could not mount a tmpfs");
        string folder = disk?.Path ?? _temp.Path;
        if (disk is null && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var error = Assert.Throws<ModelWriteException>(() => BadInputTests.ModelWithWeights().Build().Save(Path.Combine(folder, "out.onnx")));

        Assert.Matches("Read-only file system|denied", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void Stale_Temporaries_Of_A_Dead_Process_Are_Removed_By_The_Next_Save_And_Others_Are_Kept()
    {
        // No Linux pid reaches 999999999 (pid_max is at most 2^22); our own pid with an unregistered name is a crashed save.
        string dead = _temp.File($".out.onnx.999999999.{Guid.NewGuid():N}.tmp");
        string crashed = _temp.File($".out.onnx.data.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string live = TempFiles.Reserve(_temp.File("other.onnx"));
        string foreign = _temp.File(".user.tmp");
        foreach (var path in new[] { dead, crashed, live, foreign }) File.WriteAllText(path, "x");

        BadInputTests.ModelWithWeights().Build().Save(_temp.File("out.onnx"));

        Assert.Equal([Path.GetFileName(live), ".user.tmp", "out.onnx"], _temp.FileNames());
        TempFiles.Remove(live);
    }
}
