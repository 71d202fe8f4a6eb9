namespace OnnxBn.TestUtilities;

/// <summary>
/// Where the repository, its example models and the machine-wide fixtures are: the one place tests learn a path
/// they did not create. A fixture that is missing fails loudly; no test passes because one is absent.
/// </summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding OnnxBn.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The repository's models/ folder.</summary>
    public static string Models => Path.Combine(Root, "models");

    /// <summary>
    /// ONNX's backend test data (about 1,000 models of every op and opset) where Debian's libonnx-testdata installs it;
    /// scripts/install-deps.sh installs the package (CI runs it); ONNXBN_BACKEND_TEST_DATA names another copy (a
    /// checkout of onnx's backend/test/data, another distribution's path). Tests that read it assert it is there.
    /// </summary>
    public static string BackendTestData { get; } =
        Environment.GetEnvironmentVariable("ONNXBN_BACKEND_TEST_DATA") is { Length: > 0 } given ? given : "/usr/share/libonnx-testdata/data";

    /// <summary>Every .onnx file in models/, in ordinal order.</summary>
    /// <exception cref="DirectoryNotFoundException">models/ is absent or holds no model (a broken checkout).</exception>
    public static IReadOnlyList<string> ModelFiles()
    {
        var files = Directory.Exists(Models)
            ? Directory.EnumerateFiles(Models, "*.onnx", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToList()
            : [];
        return files.Count > 0 ? files : throw new DirectoryNotFoundException($"no .onnx model in {Models}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OnnxBn.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds OnnxBn.sln");
    }
}
