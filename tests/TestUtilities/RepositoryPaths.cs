namespace OnnxBn.TestUtilities;

/// <summary>Where the repository and its example models are, found by walking up from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding OnnxBn.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The repository's models/ folder.</summary>
    public static string Models => Path.Combine(Root, "models");

    /// <summary>Every .onnx file in models/, in ordinal order (none when the folder is absent).</summary>
    public static IEnumerable<string> ModelFiles() =>
        Directory.Exists(Models)
            ? Directory.EnumerateFiles(Models, "*.onnx", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal)
            : [];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OnnxBn.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds OnnxBn.sln");
    }
}
