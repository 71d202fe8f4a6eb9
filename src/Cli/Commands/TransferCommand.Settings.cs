using System.CommandLine;
using System.Globalization;
using OnnxBn.Training;

namespace OnnxBn.Cli.Commands;

/// <summary>Turns the parsed command line into training options, rejecting impossible values as usage errors.</summary>
internal sealed partial class TransferCommand
{
    private static TrainingOptions ParseTraining(ParseResult parsed)
    {
        var options = new TrainingOptions
        {
            Epochs = NonNegative(parsed.GetValue(EpochsOption), "--epochs"),
            BatchSize = Positive(parsed.GetValue(BatchOption), "--batch"),
            Seed = parsed.GetValue(SeedOption),
            Optimizer = parsed.GetValue(OptimizerOption)!.ToLowerInvariant() switch
            {
                "sgd" => OptimizerKind.Sgd,
                "adam" => OptimizerKind.Adam,
                "radam" => OptimizerKind.RAdam,
                var other => throw new UsageException($"--optimizer {other}: use sgd, adam or radam."),
            },
            LearningRate = PositiveRate(parsed.GetValue(LearningRateOption), "--lr"),
            Momentum = parsed.GetValue(MomentumOption) is var m and >= 0 and < 1 ? m : throw new UsageException("--momentum must be in [0, 1)."),
            Nesterov = parsed.GetValue(NesterovOption),
            Beta1 = Fraction(parsed.GetValue(Beta1Option), "--beta1"),
            Beta2 = Fraction(parsed.GetValue(Beta2Option), "--beta2"),
            Schedule = parsed.GetValue(ScheduleOption)!.ToLowerInvariant() switch
            {
                "constant" => ScheduleKind.Constant,
                "exponential" => ScheduleKind.Exponential,
                "1cycle" or "onecycle" => ScheduleKind.OneCycle,
                var other => throw new UsageException($"--schedule {other}: use constant, exponential or 1cycle."),
            },
            DecaySteps = parsed.GetValue(DecayStepsOption) is { } steps ? (steps > 0 ? steps : throw new UsageException("--decay-steps must be positive.")) : null,
            DecayRate = parsed.GetValue(DecayRateOption) is var rate and > 0 ? rate : throw new UsageException("--decay-rate must be positive."),
            Clipping = new GradientClipping(
                PositiveOrNull(parsed.GetValue(ClipValueOption), "--clip-value"),
                PositiveOrNull(parsed.GetValue(ClipNormOption), "--clip-norm"),
                PositiveOrNull(parsed.GetValue(ClipGlobalNormOption), "--clip-global-norm")),
            Patience = NonNegative(parsed.GetValue(PatienceOption), "--patience"),
        };
        if (options.Nesterov && options.Optimizer != OptimizerKind.Sgd)
            throw new UsageException("--nesterov applies to --optimizer sgd only.");
        return options;
    }

    private static WeightInitializer ParseInitializer(ParseResult parsed)
    {
        var name = parsed.GetValue(InitOption)!.ToLowerInvariant();
        if (name != "variance_scaling")
        {
            try
            {
                return WeightInitializer.Parse(name);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException("--init: " + ex.Message);
            }
        }
        var scale = parsed.GetValue(InitScaleOption) is var s and > 0 ? s : throw new UsageException("--init-scale must be positive.");
        var mode = parsed.GetValue(InitModeOption)!.ToLowerInvariant() switch
        {
            "fan_in" => FanMode.FanIn,
            "fan_out" => FanMode.FanOut,
            "fan_avg" => FanMode.FanAvg,
            var other => throw new UsageException($"--init-mode {other}: use fan_in, fan_out or fan_avg."),
        };
        var distribution = parsed.GetValue(InitDistributionOption)!.ToLowerInvariant() switch
        {
            "truncated_normal" => InitDistribution.TruncatedNormal,
            "normal" or "untruncated_normal" => InitDistribution.UntruncatedNormal,
            "uniform" => InitDistribution.Uniform,
            var other => throw new UsageException($"--init-distribution {other}: use truncated_normal, normal or uniform."),
        };
        return new WeightInitializer(scale, mode, distribution);
    }

    private static Activation ParseActivation(ParseResult parsed)
    {
        var name = parsed.GetValue(ActivationOption)!;
        return name.ToLowerInvariant() switch
        {
            "relu" or "leaky_relu" or "elu" or "selu" or "tanh" or "sigmoid" => Activation.Parse(name),
            _ => throw new UsageException($"--activation {name}: use relu, leaky_relu, elu or selu."),
        };
    }

    private static int[] ParseHidden(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width > 0
                ? width
                : throw new UsageException($"--hidden {text}: give positive layer widths separated by commas, like 32 or 100,50."))
            .ToArray();
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new UsageException($"{name} must be positive.");

    private static int NonNegative(int value, string name) => value >= 0 ? value : throw new UsageException($"{name} must not be negative.");

    private static float PositiveRate(float value, string name) =>
        value > 0 && float.IsFinite(value) ? value : throw new UsageException($"{name} must be a positive number.");

    private static float Fraction(float value, string name) =>
        value is >= 0 and < 1 ? value : throw new UsageException($"{name} must be in [0, 1).");

    private static float? PositiveOrNull(float? value, string name) =>
        value is null or > 0 ? value : throw new UsageException($"{name} must be positive.");
}
