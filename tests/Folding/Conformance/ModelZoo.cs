using System.Text.Json;
using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Conformance;

/// <summary>One model of a models/ folder as its manifest.json describes it.</summary>
public sealed record ZooModel(string Directory, string Name, string File, string TestData, double Tolerance, IReadOnlyList<string> Folds)
{
    public string ModelPath => Path.Combine(Directory, File);

    /// <summary>How many BNs the manifest expects to fold backward, forward, or to keep.</summary>
    public (int Backward, int Forward, int Kept) ExpectedFates =>
        (Count("backward"), Count("forward"), Count("kept"));

    private int Count(string prefix) => Folds.Count(f => f.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>
    /// test_data_set_0's input and expected output, widened to float64, cut to the first
    /// <paramref name="maxBatch"/> samples: the naive evaluator is slow on CNNs and two images already exercise
    /// every channel of every layer.
    /// </summary>
    public (RefTensor Input, RefTensor Output) TestCase(int maxBatch = 2)
    {
        string dir = Path.Combine(Directory, TestData);
        return (FirstSamples(RefTensor.FromTensorData(TensorData.LoadTensorProto(Path.Combine(dir, "input_0.pb"))), maxBatch),
                FirstSamples(RefTensor.FromTensorData(TensorData.LoadTensorProto(Path.Combine(dir, "output_0.pb"))), maxBatch));
    }

    private static RefTensor FirstSamples(RefTensor t, int count)
    {
        if (t.Rank == 0 || t.Shape[0] <= count) return t;
        long[] shape = [count, .. t.Shape[1..]];
        return RefTensor.Of(shape, t.Data[..RefTensor.ElementCount(shape)]);
    }

    public override string ToString() => Name;
}

/// <summary>Finds the repository's models/ folder and reads its manifest.</summary>
public static class ModelZoo
{
    /// <summary>Tolerance factor when a manifest gives none: max|diff| ≤ 1e-4·max(1, max|ref|) for float32.</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>The folder holding OnnxBn.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot() => RepositoryPaths.Root;

    public static string RepoModels => Path.Combine(RepoRoot(), "models");

    /// <summary>Every model listed in <paramref name="directory"/>/manifest.json.</summary>
    /// <exception cref="FileNotFoundException">The manifest is absent (a broken checkout).</exception>
    public static IReadOnlyList<ZooModel> Read(string directory)
    {
        string manifest = Path.Combine(directory, "manifest.json");
        if (!System.IO.File.Exists(manifest))
            throw new FileNotFoundException($"{manifest} is absent: the models/ folder is incomplete", manifest);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(manifest));
        var models = new List<ZooModel>();
        foreach (var entry in doc.RootElement.GetProperty("models").EnumerateObject())
        {
            var m = entry.Value;
            string file = m.TryGetProperty("file", out var f) ? f.GetString()! : entry.Name + ".onnx";
            string testData = m.TryGetProperty("test_data", out var t) ? t.GetString()! : Path.Combine(entry.Name, "test_data_set_0");
            double tolerance = m.TryGetProperty("tolerance", out var tol) && tol.ValueKind == JsonValueKind.Number ? tol.GetDouble() : DefaultTolerance;
            var folds = m.TryGetProperty("batchnorm", out var bns)
                ? bns.EnumerateArray().Select(b => b.TryGetProperty("fold", out var fold) ? fold.GetString() ?? "" : "").ToList()
                : [];
            models.Add(new ZooModel(directory, entry.Name, file, testData, tolerance, folds));
        }
        return models;
    }
}
