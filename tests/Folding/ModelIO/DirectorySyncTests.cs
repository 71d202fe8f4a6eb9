using OnnxBn.Folding.Onnx;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>The folder sync after a save's renames (what makes the renames survive a power loss).</summary>
public sealed class DirectorySyncTests
{
    [Fact]
    public void Syncing_An_Existing_Folder_Succeeds()
    {
        using var folder = new OnnxBn.TestUtilities.TempFolder();

        DirectorySync.Flush(folder.Path);
    }

    [Fact]
    public void Syncing_A_Missing_Folder_Is_An_Io_Error_Naming_It()
    {
        var missing = Path.Combine(Path.GetTempPath(), "onnxbn-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.Contains(missing, error.Message);
        Assert.Contains("errno 2", error.Message);
    }
}
