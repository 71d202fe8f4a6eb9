using System.CommandLine;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Training;

namespace OnnxBn.Cli.Commands;

/// <summary>The data of the new task: a Fashion-MNIST task, or generic .npy examples and labels; the validation split.</summary>
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
            var task = parsed.GetValue(TaskOption)!;
            if (task.ToUpperInvariant() is not ("A" or "B" or "ALL"))
                throw new UsageException($"--task {task}: use {FashionMnistTasks.Names}.");
            var directory = DataDirectory(parsed.GetValue(DataOption)!);
            console.Error.WriteLine($"Loading Fashion-MNIST from {directory}");
            var (train, test, classes, description) = FashionMnistTasks.Load(FashionMnist.Load(directory), task);
            return new TaskData(train, test, classes, description);
        }
        if (parsed.GetResult(TaskOption) is { Implicit: false })
            throw new UsageException("--task and --features are alternatives; give one.");
        var pool = ReadExamples(features, labels!, console);
        var testSet = testFeatures is null ? new LabeledData([], [], pool.FeatureSize) : ReadExamples(testFeatures, testLabels!, console);
        if (testSet.Count > 0 && testSet.FeatureSize != pool.FeatureSize)
            throw new InvalidDataException($"{testFeatures}: {testSet.FeatureSize} values per example, but {features} has {pool.FeatureSize}.");
        return new TaskData(pool, testSet, Math.Max(2, Math.Max(pool.ClassCount, testSet.ClassCount)), Path.GetFileName(features));
    }

    /// <summary>
    /// --data as verify and bench read it: "fashion-mnist" names Debian's copy, anything else a folder of IDX files.
    /// A task uses the train and the test split both, so a ":train" or ":test" suffix is refused rather than ignored.
    /// </summary>
    private static string DataDirectory(string spec)
    {
        foreach (var split in new[] { ":train", ":test" })
        {
            if (spec.EndsWith(split, StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--data {spec}: transfer trains on the train split and evaluates on the test split; give --data fashion-mnist or DIR without {split}.");
        }
        return spec.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase) ? FashionMnist.DefaultDirectory : spec;
    }

    /// <summary>
    /// --val-split (Keras: the last fraction of the examples given, after --train-limit, in order) or --holdout-split
    /// (a shuffled hold-out from the whole pool, taken before --train-limit; 0.2 when neither is given).
    /// </summary>
    private static (TrainValidationSplit Split, string How) SplitData(ParseResult parsed, LabeledData pool, int? trainLimit, ulong seed)
    {
        var (keras, fraction) = SplitFraction(parsed);
        return keras
            ? (ValidationSplit.Keras(pool, fraction, trainLimit), "--val-split: the last examples given")
            : (ValidationSplit.Holdout(pool, fraction, trainLimit, seed), "held out from the pool");
    }

    /// <summary>Which split the command line asks for, checked before any data is read.</summary>
    private static (bool Keras, double Fraction) SplitFraction(ParseResult parsed)
    {
        var keras = parsed.GetValue(ValSplitOption);
        var holdout = parsed.GetValue(HoldoutSplitOption);
        if (keras is not null && holdout is not null)
            throw new UsageException("--val-split and --holdout-split are alternatives; give one.");
        var fraction = keras ?? holdout ?? 0.2;
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
            throw new UsageException($"{(keras is not null ? "--val-split" : "--holdout-split")} must be in [0, 1).");
        return (keras is not null, fraction);
    }

    /// <summary>
    /// Refuses what would train something other than what was asked: class counts that do not match the labels, and
    /// callbacks that monitor val_loss without validation data; warns about inputs scaled unlike the base's data.
    /// </summary>
    private static void CheckTask(ParseResult parsed, TaskData data, int classes, TrainValidationSplit split, TrainingOptions training,
        CliConsole console)
    {
        var labelClasses = Math.Max(data.Pool.ClassCount, data.Test.ClassCount);
        if (parsed.GetValue(ClassesOption) is { } given && given != data.Classes)
            throw new UsageException(
                $"--classes {given}, but the labels have {data.Classes} classes (0..{Math.Max(1, labelClasses - 1)}); leave --classes out or fix the labels.");
        if (labelClasses > classes)
            throw new UsageException($"--classes {classes}, but the labels go up to {labelClasses - 1}.");
        if (split.Validation.Count == 0 && training.Patience > 0)
            throw new UsageException("--patience (early stopping) monitors val_loss, but there is no validation data: give --val-split or --holdout-split above 0.");
        if (split.Validation.Count == 0 && training.Plateau is not null)
            throw new UsageException("--reduce-lr-patience (ReduceLROnPlateau) monitors val_loss, but there is no validation data: give --val-split or --holdout-split above 0.");
        if (InputStatistics.Of(split.Train.Count > 0 ? split.Train : data.Pool).ScalingWarning() is { } warning)
            console.Error.WriteLine("warning: " + warning);
    }

    /// <summary>Examples [N, ...] (any float or integer type, converted to float32) with N integer labels.</summary>
    private static LabeledData ReadExamples(string featuresPath, string labelsPath, CliConsole console)
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
        var values = x.ElementType == OnnxDataType.Float ? x.ToArray<float>() : ToFloat32(x, featuresPath, console);
        return new LabeledData(values, labels, count == 0 ? 1 : values.Length / Math.Max(1, count));
    }

    /// <summary>
    /// Examples of another type as float32 (what model A computes in, as Keras casts them); float64 gets the one-line
    /// warning every input cast gives, with the largest rounding error; a value float32 cannot hold is refused.
    /// </summary>
    private static float[] ToFloat32(TensorData x, string path, CliConsole console)
    {
        var doubles = x.ToDoubleArray();
        var values = new float[doubles.Length];
        var maxError = 0.0;
        for (var i = 0; i < doubles.Length; i++)
        {
            values[i] = (float)doubles[i];
            if (double.IsFinite(doubles[i]) && !float.IsFinite(values[i]))
                throw new InvalidDataException($"{path}: value {doubles[i]:G6} at index {i} overflows float32.");
            if (double.IsFinite(doubles[i]))
                maxError = Math.Max(maxError, Math.Abs(values[i] - doubles[i]));
        }
        if (x.ElementType == OnnxDataType.Double)
            console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"warning: {path}: float64 values cast to float32 for model A's input (max rounding error {maxError:G3})"));
        return values;
    }
}
