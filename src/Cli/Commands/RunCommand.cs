using System.CommandLine;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn run model.onnx --input name=file ... [--device cpu|cuda|auto] [--output out.npy|out.pb|DIR]
/// [--random --shape name=1x3x224x224 --seed S]</c>: runs a model through ONNX Runtime once, prints each output's
/// shape, a value summary and (for [N, C] outputs) the top-5 classes, and optionally saves the outputs.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    private static readonly Argument<string> ModelArgument = new("model") { Description = "The .onnx model to run." };

    private static readonly Option<string[]> InputOption = new("--input", "-i")
    {
        Description = "An input as name=file (.npy or .pb); the name may be left out when the model has one input.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string> DeviceOption = new("--device")
    {
        Description = "cpu, cuda, cuda:N or auto (CUDA if available, else CPU).",
        DefaultValueFactory = _ => "cpu",
    };

    private static readonly Option<string?> OutputOption = new("--output", "-o")
    {
        Description = "Save outputs: a .npy or .pb file (single-output models) or a directory (one <name>.npy per output).",
    };

    private static readonly Option<bool> RandomOption = new("--random")
    {
        Description = "Fill inputs not given with --input with seeded random values (floats in [0,1), integers in [0,10)).",
    };

    private static readonly Option<string[]> ShapeOption = new("--shape")
    {
        Description = "Shape of a random input as name=1x3x224x224 (default: the model's, unknown dimensions as 1).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<int> SeedOption = new("--seed")
    {
        Description = "Seed for --random.",
        DefaultValueFactory = _ => 0,
    };

    public Command Build(CliConsole console)
    {
        var command = new Command("run", "Run a model once with ONNX Runtime and summarize its outputs.");
        command.Arguments.Add(ModelArgument);
        foreach (var option in new Option[] { InputOption, DeviceOption, OutputOption, RandomOption, ShapeOption, SeedOption })
            command.Options.Add(option);
        command.SetAction(parsed => Execute(parsed, console));
        return command;
    }

    private static int Execute(ParseResult parsed, CliConsole console)
    {
        var device = ParseDevice(parsed.GetValue(DeviceOption)!);
        var inputFiles = (parsed.GetValue(InputOption) ?? []).Select(ParseAssignment).ToList();
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (name, dims) in (parsed.GetValue(ShapeOption) ?? []).Select(ParseAssignment))
            shapes[name ?? throw new UsageException("--shape needs name=dims, like input=1x3x224x224.")] = ParseShape(name, dims);
        var random = parsed.GetValue(RandomOption);
        var output = parsed.GetValue(OutputOption);
        if (shapes.Count > 0 && !random)
            throw new UsageException("--shape only applies to --random inputs.");
        if (output is not null && !TensorFiles.HasTensorExtension(output) && File.Exists(output))
            throw new UsageException($"--output {output} is an existing file that is not .npy or .pb.");

        console.InitializeRuntime();
        var settings = new SessionSettings
        {
            Device = device,
            DeviceFallback = reason => console.Error.WriteLine($"warning: {reason}"),
        };
        using var session = ModelSession.Open(parsed.GetValue(ModelArgument)!, settings);
        var inputs = GatherInputs(session, inputFiles, shapes, random, parsed.GetValue(SeedOption), console);
        if (output is not null && TensorFiles.HasTensorExtension(output) && session.Outputs.Count != 1)
            throw new UsageException($"The model has {session.Outputs.Count} outputs; give --output a directory.");

        var values = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var (name, tensor) in inputs)
                values[name] = TensorDataInterop.ToOrtValue(tensor);
            console.Out.WriteLine($"model: {session.Source} on {session.Device}");
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
        return (int)ExitCode.Ok;
    }

    private static Dictionary<string, TensorData> GatherInputs(ModelSession session, List<(string? Name, string Value)> files,
        Dictionary<string, long[]> shapes, bool random, int seed, CliConsole console)
    {
        var inputs = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (given, file) in files)
        {
            var name = given ?? (session.Inputs.Count == 1
                ? session.Inputs[0].Name
                : throw new UsageException($"The model has {session.Inputs.Count} inputs; write --input name=file."));
            var meta = session.FindInput(name) ?? throw new UsageException(
                $"The model has no input '{name}'; its inputs are: {string.Join(", ", session.Inputs.Select(i => i.Name))}.");
            if (!inputs.TryAdd(name, Check(meta, TensorFiles.Read(file).WithName(name), file)))
                throw new UsageException($"Input '{name}' is given twice.");
        }
        foreach (var name in shapes.Keys.Where(n => session.FindInput(n) is null || inputs.ContainsKey(n)))
            throw new UsageException($"--shape {name}=...: '{name}' is not a model input left for --random.");

        var generator = new OnnxBn.Runtime.SeededRandom(seed);
        foreach (var meta in session.Inputs.Where(m => !inputs.ContainsKey(m.Name)))
        {
            if (!random)
                throw new UsageException($"Input '{meta.Name}' {meta.ShapeText} is missing: pass --input {meta.Name}=file.npy or --random.");
            if (!shapes.TryGetValue(meta.Name, out var dims))
            {
                dims = meta.Shape.Select(d => d < 0 ? 1 : d).ToArray();
                if (meta.Shape.Any(d => d < 0))
                    console.Error.WriteLine($"note: random input '{meta.Name}' {meta.ShapeText} uses [{string.Join(",", dims)}]; set --shape to change it.");
            }
            var tensor = RandomInputSource.Create(meta.Name, meta.ElementType, dims, generator);
            inputs[meta.Name] = Check(meta, tensor, "--shape");
        }
        return inputs;
    }

    /// <summary>Type and rank/fixed-dimension checks, so a mismatch names the file instead of an ORT kernel.</summary>
    private static TensorData Check(SessionPort meta, TensorData tensor, string source)
    {
        if ((int)tensor.ElementType != (int)meta.ElementType)
            throw new InvalidDataException($"{source}: input '{meta.Name}' is {tensor.ElementType.DisplayName()} but the model expects " +
                                           $"{(meta.ElementType).DisplayName()}.");
        var fits = tensor.Rank == meta.Shape.Count && meta.Shape.Select((d, i) => d < 0 || d == tensor.Dims[i]).All(ok => ok);
        if (!fits)
            throw new InvalidDataException($"{source}: input '{meta.Name}' has shape [{string.Join(",", tensor.Dims)}] but the model expects {meta.ShapeText}.");
        return tensor;
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

    private static Device ParseDevice(string text)
    {
        try
        {
            return Device.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"--device: {ex.Message}");
        }
    }

    private static (string? Name, string Value) ParseAssignment(string text)
    {
        var at = text.IndexOf('=');
        if (at == 0 || at == text.Length - 1 || text.Length == 0)
            throw new UsageException($"'{text}' is not name=value.");
        return at < 0 ? (null, text) : (text[..at], text[(at + 1)..]);
    }

    private static long[] ParseShape(string name, string text)
    {
        var parts = text.Split('x', ',');
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new UsageException($"--shape {name}={text}: dimensions must be non-negative integers like 1x3x224x224.");
        }
        return dims;
    }
}
