using System.Security.Cryptography;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Where the example models live, and small file helpers the model I/O tests share.</summary>
internal static class ModelFiles
{
    /// <summary>The folder holding OnnxBn.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot => RepositoryPaths.Root;

    /// <summary>Every .onnx file in the repository's models/ folder (throws when there is none).</summary>
    public static IEnumerable<string> RepoModels() => RepositoryPaths.ModelFiles();

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Hashes of every file under <paramref name="directory"/>, by relative path.</summary>
    public static SortedDictionary<string, string> HashTree(string directory) =>
        new(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), Sha256), StringComparer.Ordinal);
}
