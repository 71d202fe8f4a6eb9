using System.CommandLine;
using System.Globalization;
using OnnxBn.Folding;
using OnnxBn.Training;

namespace OnnxBn.Cli.Commands;

/// <summary>The transfer run: data, cut, features, training, export, check.</summary>
internal sealed partial class TransferCommand
{
    /// <summary>Largest |p_ORT − p_trainer| accepted before the command reports a failed check (exit 1).</summary>
    private const double ExportTolerance = 1e-4;

    private static int Execute(ParseResult parsed, CliConsole console, CancellationToken interrupt)
    {
        var modelPath = parsed.GetValue(ModelArgument)!;
        var training = ParseTraining(parsed);
        var unfreeze = NonNegative(parsed.GetValue(UnfreezeOption), "--unfreeze");
        var fineTune = training with
        {
            LearningRate = PositiveRate(parsed.GetValue(FineTuneLrOption), "--fine-tune-lr"),
            Epochs = NonNegative(parsed.GetValue(FineTuneEpochsOption), "--fine-tune-epochs"),
        };
        var trainLimit = parsed.GetValue(TrainLimitOption);
        if (trainLimit is <= 0)
            throw new UsageException("--train-limit must be positive.");
        SplitFraction(parsed);
        var classesOption = parsed.GetValue(ClassesOption);
        if (classesOption is < 2)
            throw new UsageException("--classes must be at least 2.");
        var head = ParseHead(parsed);
        var hidden = ParseHidden(parsed.GetValue(HiddenOption));
        var activation = ParseActivation(parsed);
        var initializer = ParseInitializer(parsed);
        var featureBatch = Positive(parsed.GetValue(FeatureBatchOption), "--feature-batch");
        var seed = parsed.GetValue(SeedOption);
        var resume = parsed.GetValue(ResumeOption) is { } resumePath ? TransferCheckpoint.Load(resumePath) : null;

        if (parsed.GetValue(OutputOption) is { } target && Path.GetFullPath(target) == Path.GetFullPath(modelPath))
            throw new UsageException($"-o {target} would overwrite model A; choose another file for model B.");
        var model = OnnxModel.Load(modelPath);
        var data = LoadData(parsed, console);
        var classes = classesOption ?? data.Classes;
        var (split, how) = SplitData(parsed, data.Pool, trainLimit, seed);
        CheckTask(parsed, data, classes, split, training, console);
        var classWeights = ParseClassWeights(parsed.GetValue(ClassWeightOption), split.Train, classes);
        training = training with { ClassWeights = classWeights };
        fineTune = fineTune with { ClassWeights = classWeights };
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{data.Description}, {split.Train.Count} train / {split.Validation.Count} validation ({how}) / {data.Test.Count} test examples, seed {seed}");

        console.InitializeRuntime();
        var options = new TransferOptions
        {
            Cut = parsed.GetValue(CutOption)!,
            Unfreeze = unfreeze,
            Training = training,
            FineTune = fineTune,
            Classes = classes,
            Head = head,
            Hidden = hidden,
            HiddenActivation = activation,
            Initializer = initializer,
            Seed = seed,
            FeatureBatch = featureBatch,
            CachePath = parsed.GetValue(CacheOption),
            CheckpointDirectory = parsed.GetValue(CheckpointOption),
            OutputName = parsed.GetValue(OutputNameOption)!,
            DataDescription = description,
        };
        using var transfer = TransferLearning.Prepare(model, options);
        Describe(transfer, description, console);

        var taskData = new TransferData(split.Train, split.Validation, data.Test);
        var progress = console.Progress("features");
        var (train, validation, test) = transfer.ExtractFeatures(taskData, progress, message =>
        {
            progress.Finish();
            console.Error.WriteLine(message);
        });
        progress.Finish();
        console.Error.WriteLine($"Features: {train.FeatureSize} per example from '{transfer.FeatureTensor}' [{string.Join(", ", transfer.FeatureShape(train.FeatureSize))}]");
        if (parsed.GetValue(BenchFeaturesOption))
        {
            var pool = split.Train.Count + split.Validation.Count > 0 ? data.Pool : data.Test;
            console.Out.WriteLine(FeatureBenchmark.Measure(transfer.FrozenBase, pool, featureBatch).ToString());
        }

        Network network;
        try
        {
            network = transfer.CreateNetwork(train.FeatureSize);
        }
        catch (HeadSpecException ex)
        {
            throw new UsageException("--head: " + ex.Message);
        }
        console.Error.WriteLine($"Head: {string.Join(" -> ", network.Layers.Skip(transfer.Unfrozen.Count).Select(l => l.Describe()))} -> {(network.Loss == HeadLoss.BinaryCrossEntropy ? "sigmoid" : "softmax")}");

        if (resume is not null)
            console.Error.WriteLine($"Resuming after epoch {resume.State.Epoch} of phase {resume.State.Phase} ({resume.History().Epochs.Count} epochs in the checkpoint's history)");
        TrainingHistory history;
        using (var signals = new InterruptSignals(interrupt, "Interrupt: stopping after this mini-batch and writing model B (press Ctrl-C again to quit at once)."))
        {
            try
            {
                history = transfer.Train(network, train, validation, message => console.Out.WriteLine(message),
                    record => console.Out.WriteLine(record.ToKerasLine()), new TransferRun { Resume = resume, Cancellation = signals.Token });
            }
            catch (CheckpointMismatchException ex)
            {
                throw new UsageException("--resume: " + ex.Message);
            }
        }

        var modelB = transfer.Export(network, history);
        if (history.Interruption is { } interruption)
        {
            console.Error.WriteLine($"{interruption.Describe()}; skipping the test-set check.");
            WriteOutputs(parsed, modelB, history, console);
            if (parsed.GetValue(OutputOption) is null)
                console.Error.WriteLine(options.CheckpointDirectory is { } dir
                    ? $"No -o given: the checkpoints in {dir} hold model B."
                    : "No -o given: model B was not written (give -o or --checkpoint to keep it).");
            return InterruptedExitCode;
        }

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
            console.Error.WriteLine($"Folded BatchNormalization (and tf2onnx's MatMul→Add→Mul→Add form) before unfreezing: {fold.NodesBefore} → {fold.NodesAfter} nodes");
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
}
