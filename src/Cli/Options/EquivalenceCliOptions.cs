using System.CommandLine;
using System.Globalization;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Cli.Options;

/// <summary>
/// The input, tolerance and runtime options shared by <c>onnxbn verify</c> and <c>onnxbn fold --verify</c>: add them
/// to a command with <see cref="AddTo"/>, then turn a parse result into <see cref="EquivalenceOptions"/> with
/// <see cref="Bind"/> (which throws <see cref="UsageException"/> for values that parse but make no sense).
/// </summary>
internal sealed class EquivalenceCliOptions
{
    public Option<string?> InputsDir { get; } = CommonOptions.Inputs();

    public Option<string[]> Input { get; } = CommonOptions.Input();

    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Real images: fashion-mnist[:test|:train] (Debian's /usr/share/datasets/fashion-mnist) or DIR[:test|:train] of IDX files.",
        HelpName = "SPEC",
    };

    public Option<string?> Scale { get; } = new("--scale")
    { Description = "Factor applied to --data pixels (0-255), as the model expects: 1/255 (default), 1, 0.5 ...", HelpName = "FACTOR" };

    public Option<int?> Limit { get; } = new("--limit") { Description = "Use only the first N images of --data.", HelpName = "N" };

    public Option<int?> Random { get; } = CommonOptions.Random();

    public Option<int> Seed { get; } = CommonOptions.Seed();

    public Option<string[]> Shape { get; } = CommonOptions.RandomShape();

    public Option<int> Batch { get; } = new("--batch")
    {
        Description = "Most samples per run along a symbolic batch dimension (default 32).",
        HelpName = "N",
        DefaultValueFactory = _ => 32,
    };

    public Option<string?> Atol { get; } = new("--atol") { Description = "Absolute tolerance (default 1e-5; float16 outputs 1e-3).", HelpName = "X" };

    public Option<string?> Rtol { get; } = new("--rtol") { Description = "Relative tolerance (default 1e-4; float16 outputs 1e-2).", HelpName = "X" };

    public Option<string[]> Tol { get; } = new("--tol")
    { Description = "Tolerance of one output: NAME=ATOL[:RTOL]; repeatable.", HelpName = "NAME=ATOL[:RTOL]" };

    public Option<string?> MinTop1 { get; } = new("--min-top1")
    { Description = "Also require this top-1 agreement on classifier outputs [N,C] (1.0 = every row).", HelpName = "FRACTION" };

    public Option<bool> NanEqual { get; } = new("--nan-equal") { Description = "Count NaN in both outputs at the same index as equal." };

    public Option<string> OrtOpt { get; } = CommonOptions.OrtOpt("disabled", "ONNX Runtime's own fusions could hide a difference");

    public Option<string> Device { get; } = CommonOptions.Device();

    public Option<string?> AgainstDevice { get; } = new("--against-device")
    { Description = "Run the original on this device and the candidate on --device (one model: compare devices).", HelpName = "DEVICE" };

    public Option<bool> Layers { get; } = new("--layers")
    {
        Description = "Also compare every intermediate tensor both graphs share (ORT optimizations disabled for that run) and " +
                      "report the first one beyond tolerance, the nodes that write it and the fold that touched them.",
    };

    public Option<string> ErrorStat { get; } = new("--check-error-stat")
    {
        Description = "What the tolerance checks: elemwise (every element, default), or the max, mean, median or quantile " +
                      "of the errors (passes when abs stat <= atol or rel stat <= rtol).",
        DefaultValueFactory = _ => "elemwise",
        HelpName = "STAT",
    };

    public Option<string?> ErrorQuantile { get; } = new("--error-quantile")
    { Description = "The quantile checked by --check-error-stat quantile (default 0.99).", HelpName = "Q" };

    public Option<bool> Validate { get; } = new("--validate")
    { Description = "Fail every compared tensor that holds a NaN or an infinity, in either model." };

    public Option<string?> Reference { get; } = new("--reference")
    {
        Description = "float64: also evaluate both models with the float64 reference evaluator, separating each layer's fold " +
                      "error from ONNX Runtime's float32 rounding (implies --layers).",
        HelpName = "float64",
    };

    public EquivalenceCliOptions()
    {
        OrtOpt.AcceptOnlyFromAmong("disabled", "basic", "extended", "all");
        ErrorStat.AcceptOnlyFromAmong("elemwise", "max", "mean", "median", "quantile");
        Reference.AcceptOnlyFromAmong("float64");
    }

    public Option<string?> JUnit { get; } = CommonOptions.JUnit();

    private Option[] All => [InputsDir, Input, Data, Scale, Limit, Random, Seed, Shape, Batch, Atol, Rtol, Tol,
        MinTop1, NanEqual, OrtOpt, Device, AgainstDevice, JUnit, Layers, ErrorStat, ErrorQuantile, Validate, Reference];

    public void AddTo(Command command)
    {
        foreach (var option in All)
            command.Options.Add(option);
    }

    /// <summary>True when the command line sets any of these options explicitly.</summary>
    public bool AnyGiven(ParseResult parse) => All.Any(o => parse.GetResult(o) is { Implicit: false });

    /// <summary>The checker options for a parsed command line.</summary>
    /// <exception cref="UsageException">Conflicting or malformed values.</exception>
    public EquivalenceOptions Bind(ParseResult parse, CliConsole console)
    {
        var atol = Number(parse.GetValue(Atol), "--atol");
        var rtol = Number(parse.GetValue(Rtol), "--rtol");
        var options = new EquivalenceOptions
        {
            Inputs = Source(parse, cast => console.Error.WriteLine($"warning: {cast}")),
            NanEqual = parse.GetValue(NanEqual),
            MinTop1 = Number(parse.GetValue(MinTop1), "--min-top1"),
            OptimizationLevel = CommonOptions.ParseOrtOpt(parse.GetValue(OrtOpt)!),
            Device = CommonOptions.ParseDevice(parse.GetValue(Device) ?? "cpu"),
            ReferenceDevice = parse.GetValue(AgainstDevice) is { } against ? CommonOptions.ParseDevice(against, "--against-device") : null,
        };
        if (options.MinTop1 is > 1)
            throw new UsageException("--min-top1 is a fraction between 0 and 1.");
        options = BindDiagnostics(parse, options);
        if (atol is not null || rtol is not null)
        {
            // An explicit tolerance is the user's decision for every output, whatever its precision.
            var tolerance = new Tolerance(atol ?? Tolerance.Default.Atol, rtol ?? Tolerance.Default.Rtol);
            options = options with { Tolerance = tolerance, HalfPrecisionTolerance = tolerance };
        }
        var perOutput = new Dictionary<string, Tolerance>(StringComparer.Ordinal);
        foreach (var text in parse.GetValue(Tol) ?? [])
        {
            var eq = text.LastIndexOf('=');
            if (eq <= 0)
                throw new UsageException($"--tol '{text}' is not NAME=ATOL[:RTOL].");
            perOutput[text[..eq]] = Guard(() => Tolerance.Parse(text[(eq + 1)..], options.Tolerance.Rtol), "--tol");
        }
        return options with { OutputTolerances = perOutput };
    }

    /// <summary>--layers, --check-error-stat, --error-quantile, --validate and --reference.</summary>
    private EquivalenceOptions BindDiagnostics(ParseResult parse, EquivalenceOptions options)
    {
        var statistic = parse.GetValue(ErrorStat) switch
        {
            "max" => ErrorStatistic.Max,
            "mean" => ErrorStatistic.Mean,
            "median" => ErrorStatistic.Median,
            "quantile" => ErrorStatistic.Quantile,
            _ => ErrorStatistic.Elementwise,
        };
        var quantile = Number(parse.GetValue(ErrorQuantile), "--error-quantile");
        if (quantile is not null && statistic != ErrorStatistic.Quantile)
            throw new UsageException("--error-quantile applies with --check-error-stat quantile only.");
        if (quantile is > 1)
            throw new UsageException("--error-quantile is a fraction between 0 and 1.");
        var reference = parse.GetValue(Reference) is not null;
        return options with
        {
            ErrorStatistic = statistic,
            ErrorQuantile = quantile ?? options.ErrorQuantile,
            Validate = parse.GetValue(Validate),
            CompareLayers = parse.GetValue(Layers) || reference,
            Float64Reference = reference,
        };
    }

    private IInputSource? Source(ParseResult parse, Action<InputCast> casted)
    {
        var dir = parse.GetValue(InputsDir);
        var files = parse.GetValue(Input) ?? [];
        var data = parse.GetValue(Data);
        var random = parse.GetValue(Random);
        var given = new[] { dir is not null, files.Length > 0, data is not null, random is not null }.Count(g => g);
        if (given > 1)
            throw new UsageException("Give one input source: --inputs, --input, --data or --random.");
        var batch = parse.GetValue(Batch);
        if (batch < 1)
            throw new UsageException("--batch must be at least 1.");
        if (data is null && (parse.GetValue(Scale) is not null || parse.GetValue(Limit) is not null))
            throw new UsageException("--scale and --limit apply to --data only.");
        if (parse.GetValue(Limit) is < 1)
            throw new UsageException("--limit must be at least 1.");
        if (dir is not null)
            return new BackendTestDataSource(dir) { Casted = casted };
        if (files.Length > 0)
            return new TensorFileSource(files.Select(f => Guard(() => TensorFileSource.Parse(f), "--input"))) { Casted = casted };
        if (data is not null)
            return Guard(() => FashionMnistSource.Parse(data, ParseScale(parse.GetValue(Scale)), parse.GetValue(Limit), batch), "--data");
        if (random is < 1)
            throw new UsageException("--random must be at least 1.");
        var shapes = CommonOptions.ParseShapes(parse.GetValue(Shape) ?? []);
        return new RandomInputSource(random ?? RandomInputSource.DefaultSamples, parse.GetValue(Seed), shapes, batch);
    }

    /// <summary>Parses <c>1/255</c>, <c>0.5</c> or <c>1</c>.</summary>
    internal static double ParseScale(string? text)
    {
        if (text is null)
            return 1.0 / 255;
        var slash = text.IndexOf('/');
        var value = slash < 0
            ? Number(text, "--scale")!.Value
            : Number(text[..slash], "--scale")!.Value / Number(text[(slash + 1)..], "--scale")!.Value;
        return double.IsFinite(value) && value > 0 ? value : throw new UsageException($"--scale '{text}' must be a positive number such as 1/255.");
    }

    private static double? Number(string? text, string option)
    {
        if (text is null)
            return null;
        return Guard(() => Tolerance.ParseNonNegative(text, option + " " + text), option);
    }

    private static T Guard<T>(Func<T> parse, string option)
    {
        try
        {
            return parse();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new UsageException($"{option}: {ex.Message}");
        }
    }

    /// <summary>A line for --help listing what --verify and verify share.</summary>
    public static string Summary => string.Create(CultureInfo.InvariantCulture,
        $"Passes when |candidate - original| <= atol + rtol*|original| for every element of every output " +
        $"(defaults atol {Tolerance.Default.Atol:G}, rtol {Tolerance.Default.Rtol:G}).");
}
