using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Inputs;

namespace OnnxBn.Cli.Options;

/// <summary>
/// The options several commands share, made in one place so each name means one thing everywhere and --help says it
/// in the same words (docs/cli-options.md is checked against the commands by a test).
/// </summary>
internal static class CommonOptions
{
    /// <summary>The value <c>--json</c> has when given without FILE, and the FILE that means stdout.</summary>
    public const string Stdout = "-";

    /// <summary>
    /// <c>--json [FILE]</c>: the report as JSON on stdout instead of the text report, or written to FILE with the text
    /// report still on stdout. Null when not given, <see cref="Stdout"/> for stdout.
    /// </summary>
    public static Option<string?> Json() => new("--json")
    {
        Description = "The report as JSON: on stdout instead of the text report, or written to FILE (the text report " +
                      "still on stdout). FILE '-' is stdout; a .onnx path is never taken as FILE.",
        HelpName = "FILE",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result => result.Tokens.Count == 0 ? Stdout : result.Tokens[0].Value,
    };

    /// <summary><c>--junit FILE</c>: a JUnit XML report of the check, one testcase per output.</summary>
    public static Option<string?> JUnit() => new("--junit")
    {
        Description = "Write a JUnit XML report of the check (one testcase per output) to FILE.",
        HelpName = "FILE",
    };

    /// <summary><c>--random N</c>: N seeded random samples for the inputs no other option gives.</summary>
    public static Option<int?> Random() => new("--random")
    {
        Description = $"N seeded random samples (floats uniform in [0,1), integers in [0,{RandomInputSource.IntegerRange})) " +
                      $"for the inputs no other input option gives; verify uses {RandomInputSource.DefaultSamples} when no " +
                      "input option is given.",
        HelpName = "N",
    };

    /// <summary><c>--seed S</c>: the seed of the random inputs.</summary>
    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed of the random inputs (default 0): the same seed gives the same inputs on every machine.",
        HelpName = "S",
        DefaultValueFactory = _ => 0,
    };

    /// <summary><c>--inputs DIR</c>: a folder of input tensors, one run per set.</summary>
    public static Option<string?> Inputs() => new("--inputs")
    {
        Description = "Inputs in the ONNX backend-test layout: DIR/test_data_set_*/input_*.pb (one run per set), or one set folder.",
        HelpName = "DIR",
    };

    /// <summary><c>--input [NAME=]FILE</c>: one input from a tensor file.</summary>
    public static Option<string[]> Input() => new("--input", "-i")
    {
        Description = "Feed input NAME from FILE (.npy or TensorProto .pb); repeat per input; NAME may be left out when " +
                      "the model has one input. A wider type is cast to the input's with a warning when every value fits.",
        HelpName = "[NAME=]FILE",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary><c>--device DEVICE</c>: where the models run.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "Where the model runs: cpu (default), cuda[:N] or auto[:N] (CUDA when available, else CPU).",
        HelpName = "DEVICE",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary><c>--ort-opt LEVEL</c>: ONNX Runtime's graph optimization, with the command's default.</summary>
    public static Option<string> OrtOpt(string defaultLevel, string why) => new("--ort-opt")
    {
        Description = $"ONNX Runtime graph optimization: disabled, basic, extended or all (default {defaultLevel}: {why}).",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => defaultLevel,
    };

    /// <summary><c>--shape NAME=DIMS</c>: the shape of a random input with symbolic dimensions (repeatable).</summary>
    public static Option<string[]> Shape(string description) => new("--shape")
    {
        Description = description,
        HelpName = "NAME=DIMS",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary><c>--shape NAME=DIMS</c> of verify and run: the shape of one run of a random input.</summary>
    public static Option<string[]> RandomShape() => Shape(
        "Shape of one run of a random input, as NAME=1x3x224x224, for its symbolic dimensions (default: the batch " +
        "dimension holds the samples of one run, other symbolic dimensions 1); repeatable.");

    /// <summary>The levels of <c>--ort-opt</c> (with the numbers of ONNX Runtime's enum as synonyms).</summary>
    /// <exception cref="UsageException">An unknown level.</exception>
    public static GraphOptimizationLevel ParseOrtOpt(string text) => text.ToLowerInvariant() switch
    {
        "disabled" or "none" or "0" => GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic" or "1" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended" or "2" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all" or "99" => GraphOptimizationLevel.ORT_ENABLE_ALL,
        _ => throw new UsageException($"--ort-opt {text}: use disabled, basic, extended or all."),
    };

    /// <summary>A <c>--device</c> value.</summary>
    /// <exception cref="UsageException">Not cpu, cuda[:N] or auto[:N].</exception>
    public static Runtime.Sessions.Device ParseDevice(string text, string option = "--device")
    {
        try
        {
            return Runtime.Sessions.Device.Parse(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new UsageException($"{option}: {ex.Message}");
        }
    }

    /// <summary>The <c>--shape</c> values by input name.</summary>
    /// <exception cref="UsageException">A value that is not NAME=DIMS, or an input named twice.</exception>
    public static Dictionary<string, long[]> ParseShapes(IEnumerable<string> assignments)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var text in assignments)
        {
            KeyValuePair<string, long[]> shape;
            try
            {
                shape = InputShapes.ParseOverride(text);
            }
            catch (FormatException ex)
            {
                throw new UsageException($"--shape: {ex.Message}");
            }
            if (!shapes.TryAdd(shape.Key, shape.Value))
                throw new UsageException($"--shape {shape.Key} is given twice.");
        }
        return shapes;
    }
}
