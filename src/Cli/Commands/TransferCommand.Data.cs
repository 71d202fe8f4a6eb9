using System.CommandLine;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Cli.Commands;

/// <summary>The data of the new task: a Fashion-MNIST task, or generic .npy examples and labels.</summary>
internal sealed partial class TransferCommand
{
    private sealed record TaskData(LabeledData Pool, LabeledData Test, int Classes, string Description);

    private static TaskData LoadData(ParseResult parsed, CliConsole console)
    {
        var features = parsed.GetValue(FeaturesOption);
        var labels = parsed.GetValue(LabelsOption);
        var testFeatures = parsed.GetValue(TestFeaturesOption);
        var testLabels = parsed.GetValue(TestLabelsOption);
        if ((features is null) != (labels is null))
            throw new UsageException("--features and --labels go together.");
        if ((testFeatures is null) != (testLabels is null))
            throw new UsageException("--test-features and --test-labels go together.");
        if (features is null)
        {
            if (testFeatures is not null)
                throw new UsageException("--test-features needs --features (Fashion-MNIST tasks use the official test set).");
            var task = parsed.GetValue(TaskOption)!.ToUpperInvariant() switch
            {
                "A" => FashionTask.A,
                "B" => FashionTask.B,
                var other => throw new UsageException($"--task {other}: use A or B."),
            };
            var directory = parsed.GetValue(DataOption)!;
            console.Error.WriteLine($"Loading Fashion-MNIST from {directory}");
            var fashion = FashionMnist.Load(directory);
            return new TaskData(fashion.Train(task), fashion.Test(task), FashionMnist.ClassCount(task), $"Fashion-MNIST task {task}");
        }
        if (parsed.GetResult(TaskOption) is { Implicit: false })
            throw new UsageException("--task and --features are alternatives; give one.");
        var pool = ReadExamples(features, labels!);
        var test = testFeatures is null ? new LabeledData([], [], pool.FeatureSize) : ReadExamples(testFeatures, testLabels!);
        if (test.Count > 0 && test.FeatureSize != pool.FeatureSize)
            throw new InvalidDataException($"{testFeatures}: {test.FeatureSize} values per example, but {features} has {pool.FeatureSize}.");
        return new TaskData(pool, test, Math.Max(2, Math.Max(pool.ClassCount, test.ClassCount)), Path.GetFileName(features));
    }

    /// <summary>Examples [N, ...] (any float or integer type, converted to float32) with N integer labels.</summary>
    private static LabeledData ReadExamples(string featuresPath, string labelsPath)
    {
        var x = NpyFormat.Read(featuresPath);
        var y = NpyFormat.Read(labelsPath);
        if (x.Rank < 2)
            throw new InvalidDataException($"{featuresPath}: examples need shape [N, ...], not [{string.Join(",", x.Dims)}].");
        var count = (int)x.Dims[0];
        if (y.ElementCount != count)
            throw new InvalidDataException($"{labelsPath}: {y.ElementCount} labels for {count} examples in {featuresPath}.");
        var labels = y.ToDoubleArray().Select(v => v >= 0 && v == Math.Floor(v) && v < int.MaxValue
            ? (int)v
            : throw new InvalidDataException($"{labelsPath}: label {v} is not a class index (0, 1, 2, ...).")).ToArray();
        var values = x.ElementType == TensorElementType.Float ? x.ToArray<float>() : x.ToDoubleArray().Select(v => (float)v).ToArray();
        return new LabeledData(values, labels, count == 0 ? 1 : values.Length / Math.Max(1, count));
    }
}
