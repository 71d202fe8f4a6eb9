using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>Small models written to temporary files for the run command tests.</summary>
internal static class RunCommandTestModels
{
    public static string TempDirectory() =>
        Directory.CreateTempSubdirectory("onnxbn-cli-run").FullName;

    /// <summary>The shared classifier (<see cref="ExampleGraphs.Classifier"/>) as a file.</summary>
    public static string Classifier()
    {
        var path = Path.Combine(TempDirectory(), "classifier.onnx");
        File.WriteAllBytes(path, ExampleGraphs.Classifier().ToBytes());
        return path;
    }
}
