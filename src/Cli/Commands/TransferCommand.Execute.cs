using System.CommandLine;
using System.Globalization;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Training;

namespace OnnxBn.Cli.Commands;

/// <summary>The transfer run: data, cut, features, training, export, check.</summary>
internal sealed partial class TransferCommand
{
    /// <summary>Largest |p_ORT − p_trainer| accepted before the command reports a failed check (exit 1).</summary>
    private const double ExportTolerance = 1e-4;

    private static int Execute(ParseResult parsed, CliConsole console)
    {
        var modelPath = parsed.GetValue(ModelArgument)!;
        var training = ParseTraining(parsed);
        var unfreeze = NonNegative(parsed.GetValue(UnfreezeOption), "--unfreeze");
        var fineTune = training with
        {
            LearningRate = PositiveRate(parsed.GetValue(FineTuneLrOption), "--fine-tune-lr"),
            Epochs = NonNegative(parsed.GetValue(FineTuneEpochsOption), "--fine-tune-epochs"),
        };
        var valSplit = parsed.GetValue(ValSplitOption);
        if (valSplit is < 0 or >= 1 || double.IsNaN(valSplit))
            throw new UsageException("--val-split must be in [0, 1).");
        var trainLimit = parsed.GetValue(TrainLimitOption);
        if (trainLimit is <= 0)
            throw new UsageException("--train-limit must be positive.");
        var classesOption = parsed.GetValue(ClassesOption);
        if (classesOption is < 2)
            throw new UsageException("--classes must be at least 2.");
        var hidden = ParseHidden(parsed.GetValue(HiddenOption));
        var activation = ParseActivation(parsed);
        var initializer = ParseInitializer(parsed);
        var featureBatch = Positive(parsed.GetValue(FeatureBatchOption), "--feature-batch");
        var quiet = parsed.GetValue(QuietOption);
        var seed = parsed.GetValue(SeedOption);

        var model = OnnxModel.Load(modelPath);
        var data = LoadData(parsed, console);
        var classes = classesOption ?? data.Classes;
        if (data.Pool.ClassCount > classes)
            throw new UsageException($"--classes {classes}, but the labels go up to {data.Pool.ClassCount - 1}.");
        var split = TrainValidationSplit.Create(data.Pool, valSplit, trainLimit, seed);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{data.Description}, {split.Train.Count} train / {split.Validation.Count} validation / {data.Test.Count} test examples, seed {seed}");

    console.InitializeRuntime();
    var options = new TransferOptions
        {
            Cut = parsed.GetValue(CutOption)!,
            Unfreeze = unfreeze,
            Training = training,
            FineTune = fineTune,
            Classes = classes,
            Hidden = hidden,
            HiddenActivation = activation,
            Initializer = initializer,
            Seed = seed,
            FeatureBatch = featureBatch,
            CachePath = parsed.GetValue(CacheOption),
            OutputName = parsed.GetValue(OutputNameOption)!,
            DataDescription = description,
        };
        using var transfer = TransferLearning.Prepare(model, options);
        Describe(transfer, description, console);

        var taskData = new TransferData(split.Train, split.Validation, data.Test);
        var (train, validation, test) = transfer.ExtractFeatures(taskData, quiet ? null : new ProgressLine(console.Error, "features"),
            message => console.Error.WriteLine(message));
        console.Error.WriteLine($"Features: {train.FeatureSize} per example from '{transfer.FeatureTensor}'");
        if (parsed.GetValue(BenchFeaturesOption))
        {
            var pool = split.Train.Count + split.Validation.Count > 0 ? data.Pool : data.Test;
            console.Out.WriteLine(FeatureBenchmark.Measure(transfer.FrozenBase, pool, featureBatch).ToString());
        }

        var network = transfer.CreateNetwork(train.FeatureSize);
        var history = transfer.Train(network, train, validation, message => console.Out.WriteLine(message),
            record => console.Out.WriteLine(record.ToKerasLine()));
        foreach (var (phase, epoch) in history.EarlyStops)
            console.Out.WriteLine($"Early stopping in phase {phase}: restored the weights of epoch {epoch}");

        var modelB = transfer.Export(network, history);
        var exit = ExitCode.Ok;
        if (test.Count > 0)
        {
            var check = TransferLearning.Evaluate(modelB, network, data.Test, test, featureBatch);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Test ({check.Examples} examples): loss {check.TrainerLoss:0.0000} - accuracy {check.TrainerAccuracy:0.0000} (training loop) - accuracy {check.RuntimeAccuracy:0.0000} (model B on ONNX Runtime) - identical predictions {check.IdenticalPredictions}/{check.Examples} - max |dp| {check.MaxProbabilityDifference:0.0e+0}"));
            modelB.SetMetadata("onnxbn.transfer.test_accuracy", check.RuntimeAccuracy.ToString("0.######", CultureInfo.InvariantCulture));
            if (check.MaxProbabilityDifference > ExportTolerance)
            {
                console.Error.WriteLine($"error: model B on ONNX Runtime differs from the training loop by {check.MaxProbabilityDifference:g3} (> {ExportTolerance:g})");
                exit = ExitCode.CheckFailed;
            }
        }
        WriteOutputs(parsed, modelB, history, console);
        return (int)exit;
    }

    private static void Describe(TransferLearning transfer, string description, CliConsole console)
    {
        if (transfer.FoldReport is { } fold)
            console.Error.WriteLine($"Folded BatchNormalization before unfreezing: {fold.NodesBefore} → {fold.NodesAfter} nodes");
        console.Error.WriteLine($"Model A: {transfer.Source.DisplayName}, cut at '{transfer.CutTensor}'");
        if (transfer.Unfrozen.Count > 0)
            console.Error.WriteLine($"Unfreezing after the frozen phase: {string.Join(", ", transfer.Unfrozen.Select(l => $"{l.Name} ({l.Inputs}→{l.Outputs})"))}");
        console.Error.WriteLine($"Data: {description}");
    }

    private static void WriteOutputs(ParseResult parsed, OnnxModel modelB, TrainingHistory history, CliConsole console)
    {
        if (parsed.GetValue(OutputOption) is { } output)
        {
            modelB.Save(output);
            console.Out.WriteLine($"Model B written to {output} (output '{modelB.Graph.Outputs[0].Name}')");
        }
        if (parsed.GetValue(HistoryOption) is { } prefix)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(prefix)) is { } dir)
                Directory.CreateDirectory(dir);
            File.WriteAllText(prefix + ".csv", history.ToCsv());
            File.WriteAllText(prefix + ".json", history.ToJson());
            File.WriteAllText(prefix + ".svg", HistoryPlot.ToSvg(history, "onnxbn transfer: " + Path.GetFileName(prefix)));
            console.Out.WriteLine($"History written to {prefix}.csv, {prefix}.json and {prefix}.svg");
        }
    }

    /// <summary>A one-line progress bar on stderr, redrawn in place, ending with a newline when complete.</summary>
    private sealed class ProgressLine(TextWriter writer, string label) : IProgress<(int Done, int Total)>
    {
        private int _lastPercent = -1;

        public void Report((int Done, int Total) value)
        {
            var percent = value.Total == 0 ? 100 : (int)(100L * value.Done / value.Total);
            if (percent == _lastPercent)
                return;
            _lastPercent = percent;
            var bar = new string('#', percent / 5).PadRight(20, '.');
            writer.Write($"\r{label} [{bar}] {value.Done}/{value.Total}");
            if (value.Done >= value.Total)
                writer.WriteLine();
        }
    }
}
