using System.CommandLine;
using System.Globalization;
using OnnxBn.Runtime.Data;
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
                "adamw" => OptimizerKind.AdamW,
                "rmsprop" => OptimizerKind.RmsProp,
                "nadam" => OptimizerKind.Nadam,
                var other => throw new UsageException($"--optimizer {other}: use sgd, adam, adamw, nadam, rmsprop or radam."),
            },
            WeightDecay = parsed.GetValue(WeightDecayOption) is var decay and >= 0 and < 1 ? decay : throw new UsageException("--weight-decay must be in [0, 1)."),
            Rho = Fraction(parsed.GetValue(RhoOption), "--rho"),
            Epsilon = PositiveOrNull(parsed.GetValue(EpsilonOption), "--epsilon"),
            Plateau = ParsePlateau(parsed),
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
        if (options.Plateau is not null && options.Schedule != ScheduleKind.Constant)
            throw new UsageException("--reduce-lr-patience needs --schedule constant (as Keras, it cannot change a rate that a schedule sets).");
        return options;
    }

    private static PlateauOptions? ParsePlateau(ParseResult parsed)
    {
        var patience = NonNegative(parsed.GetValue(ReduceLrPatienceOption), "--reduce-lr-patience");
        if (patience == 0)
            return null;
        var factor = parsed.GetValue(ReduceLrFactorOption);
        if (!(factor is > 0 and < 1))
            throw new UsageException("--reduce-lr-factor must be in (0, 1).");
        var minDelta = parsed.GetValue(ReduceLrMinDeltaOption) is var d and >= 0 ? d : throw new UsageException("--reduce-lr-min-delta must not be negative.");
        var minLr = parsed.GetValue(MinLrOption) is var m and >= 0 ? m : throw new UsageException("--min-lr must not be negative.");
        return new PlateauOptions(patience, factor, minDelta, NonNegative(parsed.GetValue(ReduceLrCooldownOption), "--reduce-lr-cooldown"), minLr);
    }

    /// <summary>Keras' class_weight from "balanced" (n / (k · count of the class), as scikit-learn) or "0:1,1:3".</summary>
    private static float[]? ParseClassWeights(string? text, LabeledData train, int classes)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var weights = new float[classes];
        if (text.Trim().Equals("balanced", StringComparison.OrdinalIgnoreCase))
        {
            var counts = new int[classes];
            foreach (var label in train.Labels)
                counts[label]++;
            for (var c = 0; c < classes; c++)
                weights[c] = counts[c] == 0 ? 0f : (float)((double)train.Count / (classes * counts[c]));
            return weights;
        }
        Array.Fill(weights, 1f);
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var label)
                || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || !(weight >= 0) || float.IsInfinity(weight))
                throw new UsageException($"--class-weight {text}: write 'balanced' or CLASS:WEIGHT pairs like 0:1,1:3.");
            if (label >= classes)
                throw new UsageException($"--class-weight {text}: class {label} does not exist ({classes} classes).");
            weights[label] = weight;
        }
        return weights;
    }

    private static IReadOnlyList<HeadLayer>? ParseHead(ParseResult parsed)
    {
        var text = parsed.GetValue(HeadOption);
        if (text is null)
            return null;
        if (parsed.GetValue(HiddenOption) is not null || parsed.GetResult(ActivationOption) is { Implicit: false })
            throw new UsageException("--head replaces --hidden and --activation; write the layers and activations in --head.");
        try
        {
            return HeadSpec.Parse(text);
        }
        catch (HeadSpecException ex)
        {
            throw new UsageException("--head " + ex.Message);
        }
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
