using System.CommandLine;
using OnnxBn.Cli.Options;
using OnnxBn.Cli.Rendering;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn bench model.onnx [--compare other.onnx | --folded] [--device cpu|cuda|auto] [--batch 1,32,256]
/// [--threads N] [--ort-opt disabled|basic|extended|all] [--warmup K] [--iterations N | --duration 10s]
/// [--json [FILE]]</c>: latency percentiles, throughput, session creation time and memory per batch size; with two
/// models the runs are interleaved and the B/A ratio is printed with its spread.
/// </summary>
/// <param name="interrupt">Stops the benchmark as Ctrl-C does (for in-process callers and tests).</param>
internal sealed partial class BenchCommand(CancellationToken interrupt) : ICliCommand
{
    private static readonly Argument<string> ModelArgument = new("model") { Description = "The .onnx model to benchmark." };

    private static readonly Option<string?> CompareOption = new("--compare")
    {
        HelpName = "MODEL",
        Description = "A second model to benchmark side by side (ratios are other/model).",
    };

    private static readonly Option<bool> FoldedOption = new("--folded")
    {
        Description = "Fold the model's BatchNormalization in memory and benchmark original vs folded.",
    };

    private static readonly Option<string> DeviceOption = CommonOptions.Device();

    private static readonly Option<string> BatchOption = new("--batch")
    {
        HelpName = "LIST",
        Description = "Comma-separated batch sizes (the first input dimension), like 1,32,256.",
        DefaultValueFactory = _ => "1",
    };

    private static readonly Option<int> ThreadsOption = new("--threads")
    {
        HelpName = "N",
        Description = "ONNX Runtime intra-op threads (0 = its default, one per core).",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<string> OrtOptOption = CommonOptions.OrtOpt("all", "as models run in production");

    private static readonly Option<int> WarmupOption = new("--warmup")
    {
        HelpName = "N",
        Description = "Untimed runs per model and batch size before timing.",
        DefaultValueFactory = _ => 10,
    };

    private static readonly Option<int?> IterationsOption = new("--iterations", "-n")
    {
        HelpName = "N",
        Description = "Timed runs per model and batch size (default 100).",
    };

    private static readonly Option<string?> DurationOption = new("--duration")
    {
        HelpName = "TIME",
        Description = "Time per batch size instead of a run count, like 10s, 500ms or 2m.",
    };

    private static readonly Option<int> CreationsOption = new("--creations")
    {
        HelpName = "N",
        Description = "How many times each session is created to time session creation.",
        DefaultValueFactory = _ => 5,
    };

    private static readonly Option<string[]> ShapeOption = CommonOptions.Shape(
        "Shape of a random input with symbolic dimensions, as NAME=1x784 (the first dimension becomes each --batch size); repeatable.");

    private static readonly Option<int> SeedOption = CommonOptions.Seed();

    private static readonly Option<string?> InputsDirOption = CommonOptions.Inputs();

    private static readonly Option<string[]> InputFileOption = CommonOptions.Input();

    private static readonly Option<string?> DataOption = new("--data")
    {
        Description = "Fashion-MNIST images as inputs (fashion-mnist[:test|:train] or DIR[:test|:train]), one batch of each --batch size, pixels/255.",
        HelpName = "SPEC",
    };

    private static readonly Option<string?> JsonOption = CommonOptions.Json();

    public Command Build(CliConsole console)
    {
        var command = new Command("bench",
            "Benchmark a model with ONNX Runtime: latency percentiles, throughput, session creation time and memory; " +
            "with --folded or --compare, two models interleaved and their ratio.");
        command.Arguments.Add(ModelArgument);
        foreach (var option in new Option[]
                 {
                     CompareOption, FoldedOption, DeviceOption, BatchOption, ThreadsOption, OrtOptOption, WarmupOption,
                     IterationsOption, DurationOption, CreationsOption, ShapeOption, SeedOption, InputsDirOption, InputFileOption,
                     DataOption, JsonOption,
                 })
            command.Options.Add(option);
        command.SetAction(parsed => Execute(parsed, console, interrupt));
        return command;
    }

    private static int Execute(ParseResult parsed, CliConsole console, CancellationToken interrupt)
    {
        var model = parsed.GetValue(ModelArgument)!;
        var compare = parsed.GetValue(CompareOption);
        var folded = parsed.GetValue(FoldedOption);
        if (compare is not null && folded)
            throw new UsageException("Give either --compare or --folded, not both.");
        var options = ParseOptions(parsed, console);
        var json = parsed.GetValue(JsonOption);
        if (!File.Exists(model))
            throw new FileNotFoundException($"Model file not found: {model}", model);
        if (compare is not null && !File.Exists(compare))
            throw new FileNotFoundException($"Model file not found: {compare}", compare);

        // A fresh process gives both models one shared pool: pools of their own would slow each other down.
        console.InitializeRuntime(OrtSetup.IsCreated ? null : BenchmarkThreading.PoolsFor(options.Threads));
        var progress = console.Progress("bench");
        BenchmarkReport report;
        using var signals = new InterruptSignals(interrupt, "Interrupt: stopping the benchmark and removing its temporary files.");
        try
        {
            report = folded
                ? RunFolded(model, options, progress, signals.Token)
                : InferenceBenchmark.Run(new BenchmarkTarget("model", Path.GetFullPath(model)),
                    compare is null ? null : new BenchmarkTarget("compare", Path.GetFullPath(compare)), options, progress,
                    cancellationToken: signals.Token);
        }
        catch (Exception ex) when (ex is BenchmarkSetupException or InputMismatchException)
        {
            throw new UsageException(InputHints.MessageWithHint(ex));
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            console.Error.WriteLine("interrupted: no report written; temporary files removed.");
            return TransferCommand.InterruptedExitCode;
        }
        finally
        {
            progress.Finish();
        }

        if (json == CommonOptions.Stdout)
        {
            console.Out.WriteLine(report.ToJson());
            return (int)ExitCode.Ok;
        }
        BenchTable.Write(console.Out, report);
        if (json is not null)
        {
            ReportFile.Write(json, report.ToJson());
            console.Error.WriteLine($"wrote {json}");
        }
        return (int)ExitCode.Ok;
    }

    private static BenchmarkReport RunFolded(string model, InferenceBenchmarkOptions options, ProgressReporter progress,
        CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("onnxbn-bench");
        try
        {
            return InferenceBenchmark.RunFolded(model, work.FullName, options, progress, cancellationToken);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static InferenceBenchmarkOptions ParseOptions(ParseResult parsed, CliConsole console)
    {
        var iterations = parsed.GetValue(IterationsOption);
        var durationText = parsed.GetValue(DurationOption);
        if (iterations is not null && durationText is not null)
            throw new UsageException("Give either --iterations or --duration, not both.");
        // Every timed session creation falls back again; the reason is the same each time, so it is said once.
        var fallbackReported = false;
        var options = new InferenceBenchmarkOptions
        {
            Batches = ParseBatches(parsed.GetValue(BatchOption)!),
            Warmup = parsed.GetValue(WarmupOption),
            Iterations = iterations ?? 100,
            Duration = durationText is null ? null : ParseDuration(durationText),
            SessionCreations = parsed.GetValue(CreationsOption),
            Threads = parsed.GetValue(ThreadsOption),
            OptimizationLevel = CommonOptions.ParseOrtOpt(parsed.GetValue(OrtOptOption)!),
            Device = CommonOptions.ParseDevice(parsed.GetValue(DeviceOption)!),
            Seed = parsed.GetValue(SeedOption),
            Shapes = CommonOptions.ParseShapes(parsed.GetValue(ShapeOption) ?? []),
            InputSource = ParseInputSource(parsed, cast => console.Error.WriteLine($"warning: {cast}")),
            DeviceFallback = reason =>
            {
                if (!fallbackReported)
                    console.Error.WriteLine($"warning: {reason}");
                fallbackReported = true;
            },
        };
        try
        {
            options.Validate();
        }
        catch (BenchmarkSetupException ex)
        {
            throw new UsageException(InputHints.MessageWithHint(ex));
        }
        return options;
    }
}
