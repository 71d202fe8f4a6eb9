using System.CommandLine;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Cli.Options;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn run model.onnx [--input [name=]file ...] [--random N --shape name=1x3x224x224 --seed S] [--inputs DIR]
/// [--device cpu|cuda|auto] [--output out.npy|out.pb|DIR]</c>: runs a model through ONNX Runtime, prints each output's
/// shape, a value summary and (for [N, C] outputs) the top-5 classes, and optionally saves the outputs. The input
/// options mean what they mean in verify; <c>--inputs DIR</c> runs once per test data set.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    private static readonly Argument<string> ModelArgument = new("model") { Description = "The .onnx model to run." };

    private static readonly Option<string[]> InputOption = CommonOptions.Input();

    private static readonly Option<string?> InputsDirOption = CommonOptions.Inputs();

    private static readonly Option<string> DeviceOption = CommonOptions.Device();

    private static readonly Option<string?> OutputOption = new("--output", "-o")
    {
        HelpName = "FILE|DIR",
        Description = "Save outputs: a .npy or .pb file (single-output models) or a directory (one <name>.npy per output; " +
                      "with --inputs, one sub-folder per test data set).",
    };

    private static readonly Option<int?> RandomOption = CommonOptions.Random();

    private static readonly Option<string[]> ShapeOption = CommonOptions.RandomShape();

    private static readonly Option<int> SeedOption = CommonOptions.Seed();

    public Command Build(CliConsole console)
    {
        var command = new Command("run", "Run a model with ONNX Runtime and summarize its outputs (once, or once per test data set with --inputs).");
        command.Arguments.Add(ModelArgument);
        foreach (var option in new Option[] { InputOption, InputsDirOption, RandomOption, ShapeOption, SeedOption, DeviceOption, OutputOption })
            command.Options.Add(option);
        command.SetAction(parsed => Execute(parsed, console));
        return command;
    }

    private static int Execute(ParseResult parsed, CliConsole console)
    {
        var device = CommonOptions.ParseDevice(parsed.GetValue(DeviceOption)!);
        var files = (parsed.GetValue(InputOption) ?? []).Select(ParseFile).ToArray();
        var folder = parsed.GetValue(InputsDirOption);
        var shapes = CommonOptions.ParseShapes(parsed.GetValue(ShapeOption) ?? []);
        var random = parsed.GetValue(RandomOption);
        var output = parsed.GetValue(OutputOption);
        if (folder is not null && (files.Length > 0 || random is not null))
            throw new UsageException("--inputs gives every input of every run: leave out --input and --random.");
        if (random is < 1)
            throw new UsageException("--random must be at least 1.");
        if (shapes.Count > 0 && random is null)
            throw new UsageException("--shape only applies to --random inputs.");
        if (output is not null && !TensorFiles.HasTensorExtension(output) && File.Exists(output))
            throw new UsageException($"--output {output} is an existing file that is not .npy or .pb.");
        if (folder is not null && output is not null && TensorFiles.HasTensorExtension(output))
            throw new UsageException("With --inputs, --output is a directory (one sub-folder per test data set).");

        console.InitializeRuntime();
        var settings = new SessionSettings
        {
            Device = device,
            DeviceFallback = reason => console.Error.WriteLine($"warning: {reason}"),
        };
        using var session = ModelSession.Open(parsed.GetValue(ModelArgument)!, settings);
        if (output is not null && TensorFiles.HasTensorExtension(output) && session.Outputs.Count != 1)
            throw new UsageException($"The model has {session.Outputs.Count} outputs; give --output a directory.");
        Action<InputCast> casted = cast => console.Error.WriteLine($"warning: {cast}");
        var signatures = session.Inputs.Where(i => i.IsTensor).Select(InputSignature.From).ToArray();
        var feeds = folder is not null
            ? new BackendTestDataSource(folder) { Casted = casted }.Feeds(signatures)
            : [Gather(signatures, files, shapes, random, parsed.GetValue(SeedOption), casted, console)];

        console.Out.WriteLine($"model: {session.Source} on {session.Device}");
        var progress = console.Progress("run");
        try
        {
            foreach (var feed in feeds)
            {
                // On a terminal the bar shares the screen with the report: clear it before writing, redraw after.
                progress.Finish();
                var saveTo = output;
                if (folder is not null)
                {
                    console.Out.WriteLine($"run {feed.Label}:");
                    saveTo = output is null ? null : Path.Combine(output, TensorFiles.SafeFileName(feed.Label));
                }
                RunOnce(session, feed, saveTo, console);
                progress.Report(feed.Completed, feed.Label);
            }
        }
        finally
        {
            progress.Finish();
        }
        return (int)ExitCode.Ok;
    }

    private static void RunOnce(ModelSession session, InputFeed feed, string? output, CliConsole console)
    {
        var values = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var tensor in feed.Tensors)
                values[tensor.Name] = TensorDataInterop.ToOrtValue(tensor);
            using var results = session.Run(values);
            for (var i = 0; i < results.Count; i++)
            {
                var name = session.Outputs[i].Name;
                var tensor = results[i].IsTensor ? TensorDataInterop.ToTensorData(results[i], name) : null;
                Report(console.Out, name, tensor);
                if (tensor is not null && output is not null)
                    Save(console, output, tensor);
            }
        }
        finally
        {
            foreach (var value in values.Values)
                value.Dispose();
        }
    }

    /// <summary>One run: the files given, and seeded random values for the inputs they leave out (with --random).</summary>
    private static InputFeed Gather(InputSignature[] inputs, KeyValuePair<string, string>[] files,
        Dictionary<string, long[]> shapes, int? random, int seed, Action<InputCast> casted, CliConsole console)
    {
        if (inputs.Length != 1 && files.FirstOrDefault(f => f.Key.Length == 0) is { Value: { } unnamed })
            throw new UsageException($"--input {unnamed}: the model has {inputs.Length} inputs; write --input NAME=FILE.");
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in files.Select(f => f.Key.Length > 0 ? f.Key : inputs[0].Name))
        {
            if (!named.Add(name))
                throw new UsageException($"Input '{name}' is given twice.");
        }
        var fromFiles = inputs.Where(i => named.Contains(i.Name)).ToArray();
        var rest = inputs.Where(i => !named.Contains(i.Name)).ToArray();
        foreach (var name in named.Where(n => inputs.All(i => i.Name != n)))
            throw new UsageException($"The model has no input '{name}'; its inputs are: {string.Join(", ", inputs.Select(i => i.Name))}.");
        if (random is null && rest.Length > 0)
            throw new UsageException($"Input '{rest[0].Name}' {rest[0].ShapeText} is missing: pass --input {rest[0].Name}=file.npy or --random N.");
        foreach (var name in shapes.Keys.Where(n => rest.All(i => i.Name != n)))
            throw new UsageException($"--shape {name}=...: '{name}' is not a model input left for --random.");

        var tensors = new List<TensorData>();
        if (files.Length > 0)
            tensors.AddRange(new TensorFileSource(files) { Casted = casted }.Feeds(fromFiles).Single().Tensors);
        if (rest.Length > 0)
        {
            foreach (var input in rest.Where(i => !shapes.ContainsKey(i.Name) && i.Dims.Any(d => d is null)))
                console.Error.WriteLine($"note: random input '{input.Name}' {input.ShapeText} uses " +
                    $"[{string.Join(",", InputShapes.Resolve(input, shapes, random!.Value))}]; set --shape to change it.");
            tensors.AddRange(new RandomInputSource(random!.Value, seed, shapes, random.Value).Feeds(rest).Single().Tensors);
        }
        return new InputFeed("inputs", tensors);
    }

    private static void Report(TextWriter output, string name, TensorData? tensor)
    {
        if (tensor is null)
        {
            output.WriteLine($"{name}: (not a tensor)");
            return;
        }
        output.WriteLine($"{name}: {tensor.ElementType.DisplayName()} [{string.Join(",", tensor.Dims)}]");
        if (tensor.ElementCount == 0)
            return;
        var summary = TensorSummary.Of(tensor);
        output.WriteLine($"  min {Format(summary.Min)}  max {Format(summary.Max)}  mean {Format(summary.Mean)}");
        var more = summary.Count > summary.First.Count ? ", ..." : "";
        output.WriteLine($"  values {string.Join(", ", summary.First.Select(Format))}{more}");
        if (tensor.Rank == 2 && tensor.Dims[1] >= 2 && tensor.ElementType.IsFoldableFloat())
        {
            var rows = TensorSummary.TopK(tensor, 5);
            for (var r = 0; r < Math.Min(rows.Count, 8); r++)
                output.WriteLine($"  top-5 [{r}]: {string.Join("  ", rows[r].Select(p => $"{p.Class} ({Format(p.Score)})"))}");
            if (rows.Count > 8)
                output.WriteLine($"  ... {rows.Count - 8} more rows");
        }
    }

    private static void Save(CliConsole console, string output, TensorData tensor)
    {
        var path = TensorFiles.HasTensorExtension(output)
            ? output
            : Path.Combine(output, TensorFiles.SafeFileName(tensor.Name) + ".npy");
        TensorFiles.Write(path, tensor);
        console.Error.WriteLine($"wrote {path}");
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string> ParseFile(string text)
    {
        try
        {
            return TensorFileSource.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"--input: {ex.Message}");
        }
    }
}
